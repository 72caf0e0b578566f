package dev.rnb.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the CLI in-process with stdout and stderr captured. */
final class CliRun {
    private CliRun() {}

    record Result(int code, String stdout, String stderr) {}

    /** Runs {@code rnb args} with stdout and stderr captured apart. */
    static Result capture(String... args) {
        PrintStream savedOut = System.out, savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

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

    /**
     * Runs a command that must fail with {@code code}: exactly one line on
     * stderr, "rnb COMMAND: ...", and {@code out} absent or empty afterwards
     * (nothing half-written). Returns that line.
     */
    static String fails(int code, Path out, String... args) {
        Result r = capture(args);
        assertEquals(code, r.code(), r.stdout() + r.stderr());
        String line = r.stderr().strip();
        assertEquals(1, line.lines().count(), "one line: " + r.stderr());
        assertTrue(line.startsWith("rnb " + args[0] + ": "), line);
        if (Files.isDirectory(out)) {
            try (Stream<Path> files = Files.list(out)) {
                assertEquals(List.of(), files.toList(), "nothing is written after a failure");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return line;
    }
}
