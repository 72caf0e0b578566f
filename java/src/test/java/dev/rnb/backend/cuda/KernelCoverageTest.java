package dev.rnb.backend.cuda;

import dev.rnb.testing.CoversKernels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fails when a kernel of cuda/ is missing from the emulator library or is
 * named by no test that runs it under emulation (@CoversKernels): a kernel
 * that only ever compiled is not done. The emulator's self-test kernels
 * (cuda/emulator/selftest_kernels.cu) must be in its test library and in
 * neither the jar's emulator library nor the fatbin.
 */
class KernelCoverageTest {
    private static final Pattern GLOBAL = Pattern.compile("__global__\\s+(?:void\\s+)?(?:__launch_bounds__\\s*\\([^)]*\\)\\s*)?(?:void\\s+)?(\\w+)\\s*\\(");

    private static Path cudaDir() {
        return Paths.get(System.getProperty("rnb.source.root", "..")).resolve("cuda");
    }

    /** The kernels nvcc compiles into the fatbin: every .cu file of cuda/. */
    static Set<String> kernelsInSources() throws IOException {
        try (Stream<Path> files = Files.list(cudaDir())) {
            return kernelsIn(files.filter(p -> p.toString().endsWith(".cu")).toList());
        }
    }

    static Set<String> selfTestKernelsInSources() throws IOException {
        return kernelsIn(List.of(cudaDir().resolve("emulator/selftest_kernels.cu")));
    }

    private static Set<String> kernelsIn(List<Path> files) throws IOException {
        Set<String> names = new TreeSet<>();
        for (Path f : files) {
            Matcher m = GLOBAL.matcher(Files.readString(f));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    @Test
    void everyKernelOfCudaIsCompiledIntoTheEmulator() throws IOException {
        Set<String> sources = kernelsInSources();
        assertFalse(sources.isEmpty(), "no kernels found under cuda/");
        assertEquals(sources, EmulatedDevice.registeredKernels(),
                "cuda/*.cu kernels vs the emulator registry CMakeLists.txt generates");
    }

    @Test
    void selfTestKernelsAreInTheTestLibraryOnly() throws IOException {
        Set<String> selfTest = selfTestKernelsInSources();
        assertFalse(selfTest.isEmpty(), "no kernels found in cuda/emulator/selftest_kernels.cu");
        assertEquals(selfTest, EmulatorSelfTestKernels.registeredKernels(), "selftest_kernels.cu vs the test library");
        Set<String> leaked = new TreeSet<>(EmulatedDevice.registeredKernels());
        leaked.retainAll(selfTest);
        assertTrue(leaked.isEmpty(), "self-test kernels in the jar's emulator library: " + leaked);
        try (java.io.InputStream fatbin = GpuDevice.class.getResourceAsStream(GpuDevice.FATBIN_RESOURCE)) {
            if (fatbin != null) { // built with nvcc
                String bytes = new String(fatbin.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains("rnb_selftest_"), "the fatbin holds self-test kernels");
                assertTrue(bytes.contains(kernelsInSources().iterator().next()), "the fatbin names no kernel of cuda/ at all");
            }
        }
    }

    @Test
    void everyKernelOfCudaHasAnEmulatedTest() throws IOException, URISyntaxException {
        // Test classes live in a directory under Maven and in a jar in the GPU bundle.
        Path location = Paths.get(KernelCoverageTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> classFiles = new ArrayList<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                files.map(p -> location.relativize(p).toString()).forEach(classFiles::add);
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                jar.stream().map(JarEntry::getName).forEach(classFiles::add);
            }
        }
        Set<String> covered = new TreeSet<>();
        for (String file : classFiles) {
            if (!file.endsWith(".class")) {
                continue;
            }
            String name = file.replace('/', '.').replaceAll("\\.class$", "");
            try {
                CoversKernels c = Class.forName(name, false, getClass().getClassLoader()).getAnnotation(CoversKernels.class);
                if (c != null) {
                    covered.addAll(Set.of(c.value()));
                }
            } catch (ClassNotFoundException | LinkageError e) {
                throw new AssertionError("cannot load test class " + name, e);
            }
        }
        Set<String> all = new TreeSet<>(kernelsInSources());
        all.addAll(selfTestKernelsInSources());
        Set<String> missing = new TreeSet<>(all);
        missing.removeAll(covered);
        assertTrue(missing.isEmpty(), "kernels of cuda/ without an emulated test: " + missing);
        Set<String> stale = new TreeSet<>(covered);
        stale.removeAll(all);
        assertTrue(stale.isEmpty(), "@CoversKernels names kernels that do not exist: " + stale);
    }
}
