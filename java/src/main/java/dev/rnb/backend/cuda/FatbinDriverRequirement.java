package dev.rnb.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fatbin's CUDA version (nvcc's, written beside it by CMakeLists.txt)
 * against the driver's: SASS built by CUDA N loads only on a driver for CUDA
 * N or newer, and without this check an old driver shows up as an opaque
 * module-load error.
 */
final class FatbinDriverRequirement {
    static final String RESOURCE = "/dev/rnb/backend/cuda/rnb_kernels.fatbin.cuda-version";
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");

    private FatbinDriverRequirement() {}

    /** "13.0" as nvcc reported it when building the fatbin in the jar, or null if the jar does not say. */
    static String builtWith() {
        try (InputStream in = FatbinDriverRequirement.class.getResourceAsStream(RESOURCE)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** cuDriverGetVersion's 1000 * major + 10 * minor as "major.minor". */
    static String driverString(int driverVersion) {
        return driverVersion / 1000 + "." + (driverVersion % 1000) / 10;
    }

    /**
     * Throws a one-line {@link CudaException} naming both versions when a
     * driver of {@code driverVersion} (cuDriverGetVersion) cannot load a
     * fatbin built by CUDA {@code fatbinCuda} ("13.0"; null: unknown, no check).
     */
    static void check(int driverVersion, String fatbinCuda) {
        if (fatbinCuda == null) {
            return;
        }
        Matcher m = VERSION.matcher(fatbinCuda);
        if (!m.find()) {
            throw new CudaException("unreadable fatbin CUDA version '" + fatbinCuda + "' in " + RESOURCE);
        }
        int major = Integer.parseInt(m.group(1));
        if (driverVersion / 1000 < major) {
            throw new CudaException("the fatbin was built by CUDA " + fatbinCuda + " and needs a driver for CUDA " + major
                    + ".0 or newer; this machine's driver supports CUDA " + driverString(driverVersion) + " (update the NVIDIA driver)");
        }
    }
}
