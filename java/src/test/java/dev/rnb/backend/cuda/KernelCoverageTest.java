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
        Set<String> missing = new TreeSet<>(kernelsInSources());
        missing.removeAll(covered);
        assertTrue(missing.isEmpty(), "kernels of cuda/ without an emulated test: " + missing);
        Set<String> stale = new TreeSet<>(covered);
        stale.removeAll(kernelsInSources());
        assertTrue(stale.isEmpty(), "@CoversKernels names kernels that do not exist: " + stale);
    }
}
