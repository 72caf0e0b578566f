package dev.rnb.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs the CLI in-process with stdout and stderr captured together. */
final class CliRun {
    private CliRun() {}

    /** Runs {@code rnb args}, asserts the exit code, returns everything it printed. */
    static String run(int expectedExit, String... args) {
        PrintStream saved = System.out, savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(out, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setOut(saved);
            System.setErr(savedErr);
        }
        assertEquals(expectedExit, code, out.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
