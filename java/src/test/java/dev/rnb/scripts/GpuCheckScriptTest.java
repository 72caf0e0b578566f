package dev.rnb.scripts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/gpu-check-lib, the decisions of gpu-check, run by bash under
 * {@code set -euo pipefail} on fake folders and fake outcomes: CUDA libraries
 * found from PyTorch, a system CUDA install or LD_LIBRARY_PATH (each with
 * LD_LIBRARY_PATH otherwise unset), and a broken cuda path that must fail.
 */
class GpuCheckScriptTest {
    private static final Path LIB = Paths.get(System.getProperty("rnb.source.root", "..")).resolve("scripts/gpu-check-lib");

    @TempDir
    Path tmp;

    private record Run(int status, String out) {}

    /**
     * Runs {@code body} after sourcing gpu-check-lib ($1), {@code args} as $2..., with
     * LD_LIBRARY_PATH and CUDA_PATH unset and CUDA_HOME a missing folder unless {@code env} sets them.
     */
    private Run bash(String body, Map<String, String> env, String... args) throws IOException, InterruptedException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                "bash", "-c", "set -euo pipefail; . \"$1\"; " + body, "bash", LIB.toString()));
        command.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("LD_LIBRARY_PATH");
        pb.environment().remove("CUDA_PATH");
        pb.environment().put("CUDA_HOME", tmp.resolve("no-cuda-here").toString());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    private Path dir(String relative) throws IOException {
        return Files.createDirectories(tmp.resolve(relative));
    }

    private Path fakePython(String... sitePackages) throws IOException {
        Path py = tmp.resolve("python3");
        StringBuilder s = new StringBuilder("#!/bin/sh\n");
        for (String site : sitePackages) s.append("echo '").append(site).append("'\n");
        Files.writeString(py, s.toString());
        assertTrue(py.toFile().setExecutable(true));
        return py;
    }

    @Test
    void librariesFromPyTorchWithLdLibraryPathUnset() throws Exception {
        Path cublas = dir("site/nvidia/cublas/lib"), cudnn = dir("site/nvidia/cudnn/lib"), torch = dir("site/torch/lib");
        Files.createFile(cublas.resolve("librnbfake.so.13"));
        Path py = fakePython(tmp.resolve("site").toString(), tmp.resolve("user-site-that-does-not-exist").toString());
        Run r = bash("add_cuda_library_dirs \"$2\"; echo \"LD=$LD_LIBRARY_PATH\"; echo \"FOUND=$(find_library librnbfake.so.13)\"",
                Map.of(), py.toString());
        assertEquals(0, r.status(), r.out());
        for (Path d : new Path[] {cublas, cudnn, torch}) assertTrue(r.out().contains(d.toString()), d + " missing: " + r.out());
        assertTrue(r.out().contains("FOUND=" + cublas.resolve("librnbfake.so.13")), r.out());
    }

    @Test
    void librariesFromASystemCudaInstall() throws Exception {
        Path lib64 = dir("cuda/lib64"), targets = dir("cuda/targets/x86_64-linux/lib");
        Files.createFile(targets.resolve("librnbfake.so.13"));
        Run r = bash("add_cuda_library_dirs \"\"; echo \"LD=$LD_LIBRARY_PATH\"; echo \"FOUND=$(find_library librnbfake.so.13)\"",
                Map.of("CUDA_HOME", tmp.resolve("cuda").toString()));
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("LD=" + lib64 + ":" + targets + "\n"), r.out());
        assertTrue(r.out().contains("FOUND=" + targets.resolve("librnbfake.so.13")), r.out());
    }

    @Test
    void librariesFromLdLibraryPathWithAPythonThatHasNoPyTorch() throws Exception {
        Path ld = dir("ld");
        Files.createFile(ld.resolve("librnbfake.so.13"));
        Path py = tmp.resolve("python3");
        Files.writeString(py, "#!/bin/sh\necho 'ModuleNotFoundError: no module named site' >&2\nexit 1\n");
        assertTrue(py.toFile().setExecutable(true));
        Run r = bash("add_cuda_library_dirs " + py + "; echo \"LD=$LD_LIBRARY_PATH\"; echo \"FOUND=$(find_library librnbfake.so.13)\"",
                Map.of("LD_LIBRARY_PATH", ld.toString()));
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("LD=" + ld + "\n"), r.out());
        assertTrue(r.out().contains("FOUND=" + ld.resolve("librnbfake.so.13")), r.out());
    }

    @Test
    void nothingFoundIsNotAnErrorUnderSetU() throws Exception {
        Run r = bash("add_cuda_library_dirs \"\"; echo \"LD=${LD_LIBRARY_PATH:-unset}\"; echo \"FOUND=$(find_library librnbfake.so.13)\"", Map.of());
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("LD=unset\n") && r.out().contains("FOUND=\n"), r.out());
    }

    @Test
    void aDeviceWhoseBackendDoesNotOpenFailsWithOneLine() throws Exception {
        Path log = tmp.resolve("info.log");
        Files.writeString(log, "Backends:\n  cuda           unavailable libcublas.so.13 not found\n"
                + "cuda backend unavailable; full reason:\n  java.lang.UnsatisfiedLinkError: libcublas.so.13: cannot open shared object file\n"
                + "rnb info: cuda backend unavailable (libcublas.so.13 not found)\n");
        Run device = bash("backend_verdict 6 1 " + log, Map.of());
        assertEquals(1, device.status(), device.out());
        assertEquals(1, device.out().strip().lines().count(), device.out());
        assertTrue(device.out().contains("has an NVIDIA device but the cuda backend does not open")
                && device.out().contains("rnb info: cuda backend unavailable (libcublas.so.13 not found)"), device.out());
        Run noDevice = bash("backend_verdict 6 0 " + log, Map.of());
        assertEquals(1, noDevice.status(), noDevice.out());
        assertTrue(noDevice.out().contains("no NVIDIA device found"), noDevice.out());
        Run opened = bash("backend_verdict 0 1 " + log, Map.of());
        assertEquals(0, opened.status(), opened.out());
        assertEquals("", opened.out());
    }

    private Path junitLog(int found, int skipped, int aborted, int failed) throws IOException {
        Path log = tmp.resolve("tests-" + found + "-" + skipped + "-" + aborted + "-" + failed + ".log");
        int started = found - skipped;
        Files.writeString(log, "JUnit Jupiter:BackendConformanceTest:gram()\n"
                + (skipped + aborted > 0 ? "  => org.opentest4j.TestAbortedException: Assumption failed: no CUDA device: libcuda.so.1 not found\n" : "")
                + "\nTest run finished after 5123 ms\n"
                + "[        12 containers found      ]\n[         0 containers skipped    ]\n"
                + String.format("[%10d tests found           ]%n", found)
                + String.format("[%10d tests skipped         ]%n", skipped)
                + String.format("[%10d tests started         ]%n", started)
                + String.format("[%10d tests aborted         ]%n", aborted)
                + String.format("[%10d tests successful      ]%n", started - aborted - failed)
                + String.format("[%10d tests failed          ]%n", failed));
        return log;
    }

    @Test
    void aSkippedOrAbortedCudaTestFailsTheRealCheckOnly() throws Exception {
        Run aborted = bash("tests_verdict 0 " + junitLog(40, 0, 7, 0) + " 1", Map.of());
        assertEquals(1, aborted.status(), aborted.out());
        assertEquals(1, aborted.out().strip().lines().count(), aborted.out());
        assertTrue(aborted.out().contains("0 tests skipped and 7 aborted on the real device"), aborted.out());
        assertTrue(aborted.out().contains("no CUDA device"), aborted.out());
        Run skipped = bash("tests_verdict 0 " + junitLog(40, 2, 0, 0) + " 1", Map.of());
        assertEquals(1, skipped.status(), skipped.out());
        Run emulated = bash("tests_verdict 0 " + junitLog(40, 2, 7, 0) + " 0", Map.of());
        assertEquals(0, emulated.status(), emulated.out());
        Run clean = bash("tests_verdict 0 " + junitLog(40, 0, 0, 0) + " 1", Map.of());
        assertEquals(0, clean.status(), clean.out());
        assertTrue(clean.out().contains("tests passed (40 found"), clean.out());
    }

    @Test
    void failuresTimeoutsAndEmptyRunsFail() throws Exception {
        Run failed = bash("tests_verdict 1 " + junitLog(40, 0, 0, 3) + " 0", Map.of());
        assertEquals(1, failed.status(), failed.out());
        assertTrue(failed.out().contains("3 of 40 tests failed"), failed.out());
        Run timedOut = bash("tests_verdict 124 " + junitLog(40, 0, 0, 0) + " 1", Map.of());
        assertEquals(1, timedOut.status(), timedOut.out());
        assertTrue(timedOut.out().contains("time bound"), timedOut.out());
        Path empty = Files.writeString(tmp.resolve("empty.log"), "Error: could not find the class path\n");
        Run none = bash("tests_verdict 1 " + empty + " 0", Map.of());
        assertEquals(1, none.status(), none.out());
        assertTrue(none.out().contains("no test ran"), none.out());
        assertFalse(none.out().isBlank());
    }
}
