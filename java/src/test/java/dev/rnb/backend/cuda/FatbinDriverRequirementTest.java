package dev.rnb.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FatbinDriverRequirementTest {

    @Test
    void anOlderDriverIsOneLineWithBothVersions() {
        CudaException e = assertThrows(CudaException.class, () -> FatbinDriverRequirement.check(12040, "13.0"));
        String m = e.getMessage();
        assertEquals(1, m.lines().count(), m);
        assertTrue(m.contains("built by CUDA 13.0") && m.contains("driver supports CUDA 12.4"), m);
    }

    @Test
    void aDriverOfTheSameMajorVersionOrNewerLoadsIt() {
        assertDoesNotThrow(() -> FatbinDriverRequirement.check(13000, "13.0"));
        assertDoesNotThrow(() -> FatbinDriverRequirement.check(13010, "13.1")); // minor version compatibility
        assertDoesNotThrow(() -> FatbinDriverRequirement.check(14000, "13.0"));
        assertDoesNotThrow(() -> FatbinDriverRequirement.check(12000, null)); // a jar that does not say
    }

    @Test
    void anUnreadableVersionIsAnError() {
        CudaException e = assertThrows(CudaException.class, () -> FatbinDriverRequirement.check(13000, "thirteen"));
        assertTrue(e.getMessage().contains("thirteen"), e.getMessage());
    }

    @Test
    void theJarSaysWhichCudaBuiltItsFatbin() {
        if (GpuDevice.class.getResource(GpuDevice.FATBIN_RESOURCE) == null) {
            assertEquals(null, FatbinDriverRequirement.builtWith(), "a version file without a fatbin");
        } else {
            String v = FatbinDriverRequirement.builtWith();
            assertTrue(v != null && v.matches("\\d+\\.\\d+"), "fatbin CUDA version: " + v);
        }
    }
}
