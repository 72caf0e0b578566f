package dev.rnb.cli;

import dev.rnb.backend.BackendUnavailableException;
import dev.rnb.backend.Backends;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.StoredProportions;
import dev.rnb.model.GptConfig;
import dev.rnb.train.Checkpoint;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to {@code rnb train}: each is one line on stderr naming the
 * file, line and field, the exit code of its class ({@link ExitCodes}), and
 * no output file written.
 */
class BadInputTest {
    private static final String GOOD = "{\"text\": \"hello world, hello bytes\", \"domain\": \"a\"}";

    @TempDir
    Path dir;

    /** Runs a tiny training that must fail with {@code code}; checks the one-line message and the untouched output. */
    private String fails(int code, Path train, String... extra) throws IOException {
        Path out = dir.resolve("out");
        Map<String, String> options = new LinkedHashMap<>();
        String[] defaults = {"--input", train.toString(), "--out", out.toString(), "--backend", "cpu", "--steps", "2",
                "--batch", "2", "--context", "8", "--layers", "1", "--heads", "2", "--width", "8"};
        for (int i = 0; i < defaults.length; i += 2) options.put(defaults[i], defaults[i + 1]);
        for (int i = 0; i < extra.length; i += 2) options.put(extra[i], extra[i + 1]);
        List<String> args = new ArrayList<>(List.of("train"));
        options.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        return CliRun.fails(code, out, args.toArray(String[]::new));
    }

    private Path file(String name, String... lines) throws IOException {
        return Files.write(dir.resolve(name), String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    }

    private Path bytes(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    @Test
    void emptyAndBlankFilesHaveNoExamples() throws IOException {
        assertContains(fails(ExitCodes.BAD_INPUT, file("empty.jsonl")), "empty.jsonl: no training examples");
        assertContains(fails(ExitCodes.BAD_INPUT, file("blank.jsonl", "", "  ", "")), "no training examples");
    }

    @Test
    void missingAndDirectoryInputs() throws IOException {
        assertContains(fails(ExitCodes.BAD_INPUT, dir.resolve("nope.jsonl")), "nope.jsonl: no such file");
        Path folder = Files.createDirectories(dir.resolve("folder.jsonl"));
        assertContains(fails(ExitCodes.BAD_INPUT, folder), "folder.jsonl: no training examples"); // read as a (here empty) folder of domain folders
    }

    @Test
    void invalidJsonNamesLineAndColumn() throws IOException {
        String m = fails(ExitCodes.BAD_INPUT, file("bad.jsonl", GOOD, "{\"text\": \"unterminated}"));
        assertTrue(m.contains("bad.jsonl:2: bad JSON at column"), m);
        assertContains(fails(ExitCodes.BAD_INPUT, file("arr.jsonl", "[1, 2]")), "arr.jsonl:1: expected a JSON object, found array");
        assertContains(fails(ExitCodes.BAD_INPUT, file("trail.jsonl", GOOD + " x")), "trail.jsonl:1: bad JSON at column");
        String deep = "{\"text\": \"a\", \"x\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertContains(fails(ExitCodes.BAD_INPUT, file("deep.jsonl", deep)), "nesting depth");
    }

    @Test
    void wrongFieldTypesAndMissingText() throws IOException {
        assertContains(fails(ExitCodes.BAD_INPUT, file("n.jsonl", "{\"text\": 5}")), "n.jsonl:1: field \"text\" must be a string, found number");
        assertContains(fails(ExitCodes.BAD_INPUT, file("nul.jsonl", "{\"text\": null}")), "field \"text\" must be a string, found null");
        assertContains(fails(ExitCodes.BAD_INPUT, file("miss.jsonl", GOOD, GOOD, "{\"txt\": \"typo\"}")), "miss.jsonl:3: missing field \"text\"");
        assertContains(fails(ExitCodes.BAD_INPUT, file("d.jsonl", "{\"text\": \"a\", \"domain\": true}")), "d.jsonl:1: field \"domain\" must be a string or an integer, found boolean");
        assertContains(fails(ExitCodes.BAD_INPUT, file("f.jsonl", "{\"text\": \"a\", \"domain\": 1.5}")), "f.jsonl:1: field \"domain\" must be a string or an integer, found number");
    }

    @Test
    void invalidUtf8AndNulBytes() throws IOException {
        byte[] good = (GOOD + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] bad = concat(good, "{\"text\": \"ab".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC3, 0x28}, "\"}\n".getBytes(StandardCharsets.UTF_8));
        assertContains(fails(ExitCodes.BAD_INPUT, bytes("utf.jsonl", bad)), "utf.jsonl:2: invalid UTF-8 at byte 13 of the line");
        byte[] overlong = concat("{\"text\": \"".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC0, (byte) 0xAF}, "\"}".getBytes(StandardCharsets.UTF_8));
        assertContains(fails(ExitCodes.BAD_INPUT, bytes("overlong.jsonl", overlong)), "invalid UTF-8");
        byte[] nulInString = concat("{\"text\": \"a".getBytes(StandardCharsets.UTF_8), new byte[] {0}, "b\"}".getBytes(StandardCharsets.UTF_8));
        assertContains(fails(ExitCodes.BAD_INPUT, bytes("nul1.jsonl", nulInString)), "nul1.jsonl:1: bad JSON at column 12: Illegal unquoted character ((CTRL-CHAR, code 0))");
        byte[] nulOutside = concat("{\"text\": ".getBytes(StandardCharsets.UTF_8), new byte[] {0}, "\"b\"}".getBytes(StandardCharsets.UTF_8));
        assertContains(fails(ExitCodes.BAD_INPUT, bytes("nul2.jsonl", nulOutside)), "nul2.jsonl:1: bad JSON at column 11: Illegal character ((CTRL-CHAR, code 0))");
    }

    @Test
    void aHundredMegabyteLineIsRejectedWithBoundedMemory() throws IOException {
        Path huge = dir.resolve("huge.jsonl");
        byte[] chunk = "abcdefghij".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
        try (OutputStream o = Files.newOutputStream(huge)) {
            o.write((GOOD + "\n{\"text\": \"").getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 100; i++) o.write(chunk);
            o.write("\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(Files.size(huge) > 100_000_000L);
        String m = fails(ExitCodes.BAD_INPUT, huge);
        assertTrue(m.contains("huge.jsonl:2: line longer than 64 MiB"), m);
    }

    @Test
    void evaluationSetProblems() throws IOException {
        Path train = file("t.jsonl", GOOD, GOOD.replace("\"a\"", "\"b\""));
        assertContains(fails(ExitCodes.BAD_INPUT, train, "--eval", file("e.jsonl", "{\"text\": \"x\", \"domain\": \"zzz\"}").toString()), "e.jsonl:1: field \"domain\": domain \"zzz\" has no training examples");
        assertContains(fails(ExitCodes.BAD_INPUT, train, "--eval", file("e0.jsonl", "", "").toString()), "e0.jsonl: no evaluation examples");
    }

    @Test
    void badAndConflictingOptions() throws IOException {
        Path train = file("t.jsonl", GOOD);
        assertContains(fails(ExitCodes.BAD_OPTIONS, train, "--eval-every", "5"), "--eval-every needs --eval");
        assertContains(fails(ExitCodes.BAD_OPTIONS, train, "--heads", "3"), "must be a multiple of heads");
        assertContains(fails(ExitCodes.BAD_OPTIONS, train, "--checkpoint-every", "0"), ">= 1");
        assertContains(fails(ExitCodes.BAD_OPTIONS, train, "--backend", "tpu"), "unknown backend 'tpu'");
        assertContains(fails(ExitCodes.BAD_OPTIONS, train, "--resume", train.toString()), "same file");
        String m = CliRun.fails(ExitCodes.BAD_OPTIONS, dir.resolve("o"), "train", "--input", train.toString(), "--out", dir.resolve("o").toString(),
                "--steps", "many");
        assertTrue(m.startsWith("rnb train: Invalid value for option '--steps'") && m.contains("see rnb train --help"), m);
        assertFalse(Files.exists(dir.resolve("o")));
    }

    @Test
    void duplicateRecordIds() throws IOException {
        Path dup = file("dup.jsonl", "{\"id\": 1, \"text\": \"a\"}", "{\"id\": \"x\", \"text\": \"b\"}", "{\"id\": 1, \"text\": \"c\"}");
        assertContains(fails(ExitCodes.BAD_INPUT, dup), "dup.jsonl:3: field \"id\": duplicate id '1' (first on line 1)");
        assertContains(fails(ExitCodes.BAD_INPUT, file("odd.jsonl", "{\"id\": [1], \"text\": \"a\"}")), "odd.jsonl:1: field \"id\" must be a string or an integer, found array");
    }

    @Test
    void unwritableOutput() throws IOException {
        Path train = file("t.jsonl", GOOD);
        Path blocker = Files.writeString(dir.resolve("blocker"), "a file, not a folder");
        String m = CliRun.fails(ExitCodes.OUTPUT_NOT_WRITABLE, blocker.resolve("run"), "train", "--input", train.toString(),
                "--out", blocker.resolve("run").toString(), "--backend", "cpu",
                "--steps", "1", "--batch", "2", "--context", "8", "--layers", "1", "--heads", "2", "--width", "8");
        assertTrue(m.contains("cannot write " + blocker.resolve("run")), m);
        assertEquals("a file, not a folder", Files.readString(blocker));
    }

    @Test
    void checkpointOfAnotherModelMissingOrCorrupt() throws IOException {
        Path train = file("t.jsonl", GOOD);
        Path other = dir.resolve("other.bin");
        new Checkpoint(new GptConfig(8, 1, 2, 16), 2, 1, 7L, StoredProportions.of(DomainProportions.dense(new float[] {1f})), new float[10], new float[20], new byte[0]).write(other);
        String m = fails(ExitCodes.BAD_CHECKPOINT, train, "--resume", other.toString());
        assertTrue(m.contains("other.bin is for another model: layers 1, width 16") && m.contains("this run is layers 1, width 8"), m);
        byte[] bytes = Files.readAllBytes(other);
        bytes[bytes.length / 2] ^= 1;
        Path corrupt = bytes("corrupt.bin", bytes);
        assertContains(fails(ExitCodes.BAD_CHECKPOINT, train, "--resume", corrupt.toString()), "corrupt (checksum mismatch)");
        Path truncated = bytes("truncated.bin", Arrays.copyOf(bytes, 30));
        assertContains(fails(ExitCodes.BAD_CHECKPOINT, train, "--resume", truncated.toString()), "truncated.bin");
        assertContains(fails(ExitCodes.BAD_CHECKPOINT, train, "--resume", dir.resolve("gone.bin").toString()), "does not exist");
    }

    @Test
    void unavailableBackend() throws IOException {
        try {
            Backends.open("cuda").close();
            Assumptions.abort("a GPU answers here: cuda is available");
        } catch (BackendUnavailableException expected) {
            String m = fails(ExitCodes.BACKEND_UNAVAILABLE, file("t.jsonl", GOOD), "--backend", "cuda");
            assertTrue(m.contains("cuda backend unavailable ("), m);
        }
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), "expected \"" + expected + "\" in: " + text);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) b.writeBytes(p);
        return b.toByteArray();
    }
}
