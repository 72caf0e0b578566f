package dev.rnb.backend.cuda;

import dev.rnb.testing.CoversKernels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fails when a kernel of cuda/ is missing from the emulator library or is
 * named by no test that runs it under emulation (@CoversKernels): a kernel
 * that only ever compiled is not done.
 */
class KernelCoverageTest {
    private static final Pattern GLOBAL = Pattern.compile("__global__\\s+(?:void\\s+)?(?:__launch_bounds__\\s*\\([^)]*\\)\\s*)?(?:void\\s+)?(\\w+)\\s*\\(");

    static Set<String> kernelsInSources() throws IOException {
        Path cuda = Paths.get(System.getProperty("rnb.source.root", "..")).resolve("cuda");
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(cuda)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cu")).toList()) {
                Matcher m = GLOBAL.matcher(Files.readString(f));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    @Test
    void everyKernelOfCudaIsCompiledIntoTheEmulator() throws IOException {
        Set<String> sources = kernelsInSources();
        assertFalse(sources.isEmpty(), "no kernels found under cuda/");
        assertEquals(sources, EmulatedDevice.registeredKernels(),
                "cuda/*.cu kernels vs cuda/emulator/registry.cpp registrations");
    }

    @Test
    void everyKernelOfCudaHasAnEmulatedTest() throws IOException, URISyntaxException {
        Path testClasses = Paths.get(KernelCoverageTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> covered = new TreeSet<>();
        try (Stream<Path> files = Files.walk(testClasses)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = testClasses.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                try {
                    CoversKernels c = Class.forName(name, false, getClass().getClassLoader()).getAnnotation(CoversKernels.class);
                    if (c != null) {
                        covered.addAll(Set.of(c.value()));
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new AssertionError("cannot load test class " + name, e);
                }
            }
        }
        Set<String> missing = new TreeSet<>(kernelsInSources());
        missing.removeAll(covered);
        assertTrue(missing.isEmpty(), "kernels of cuda/ without an emulated test: " + missing);
        Set<String> stale = new TreeSet<>(covered);
        stale.removeAll(kernelsInSources());
        assertTrue(stale.isEmpty(), "@CoversKernels names kernels that do not exist: " + stale);
    }
}
