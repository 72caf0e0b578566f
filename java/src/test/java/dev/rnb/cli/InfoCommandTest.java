package dev.rnb.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandTest {

    private static String run(int expectedExit, String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setOut(saved);
        }
        assertEquals(expectedExit, code, out.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void infoListsBackendsAndPrintsProportionsThatSumToOne() {
        String out = run(0, "info", "--backend", "cuda-emulated", "--domains", "5");
        assertTrue(out.contains("cuda-emulated"), out);
        assertTrue(out.contains("reference"), out);
        String line = out.lines().filter(l -> l.startsWith("p' =")).findFirst().orElseThrow();
        double sum = 0;
        String[] parts = line.substring(4).trim().split("\\s+");
        assertEquals(5, parts.length, line);
        for (String p : parts) sum += Double.parseDouble(p);
        assertEquals(1.0, sum, 1e-3, line);
    }

    @Test
    void badOptionIsANonZeroExit() {
        PrintStream saved = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream()));
        try {
            assertNotEquals(0, Main.run("info", "--domains", "many"));
            assertNotEquals(0, Main.run("frobnicate"));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void infoOnABackendThatDoesNotOpenPrintsTheFullReason() {
        boolean gpu = dev.rnb.backend.Backends.probeAll().stream().anyMatch(p -> p.name().equals("cuda") && p.available());
        CliRun.Result r = CliRun.capture("info", "--backend", "cuda");
        if (gpu) {
            assertEquals(0, r.code(), r.stderr());
        } else {
            assertEquals(ExitCodes.BACKEND_UNAVAILABLE, r.code(), r.stdout() + r.stderr());
            assertTrue(r.stderr().contains("cuda backend unavailable; full reason:"), r.stderr());
            assertTrue(r.stderr().strip().lines().count() >= 3, "the reason and its causes: " + r.stderr());
            assertTrue(r.stderr().strip().endsWith(")"), "ends with the one-line failure: " + r.stderr());
        }
    }
}
