package dev.rnb.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
 * Bad options and bad input to {@code rnb demo} and {@code rnb experiment}:
 * one line naming the option or the file (and line), the exit code of its
 * class, nothing written, and no training started.
 */
class MixingBadInputTest {
    @TempDir
    Path dir;

    /** Runs the tiny configuration with {@code extra} options (replacing those of the same name); it must fail with {@code code}. */
    private String fails(String command, int code, String... extra) {
        Path out = dir.resolve("out");
        Map<String, String> options = new LinkedHashMap<>();
        addOptions(options, ExperimentCommandTest.TINY);
        addOptions(options, "--steps", "2", "--out", out.toString());
        addOptions(options, extra);
        List<String> args = new ArrayList<>(List.of(command));
        options.forEach((name, value) -> {
            args.add(name);
            if (value != null) args.add(value);
        });
        return CliRun.fails(code, out, args.toArray(String[]::new));
    }

    /** Options as name -> value; a name followed by another name (or nothing) is a flag, value null. */
    private static void addOptions(Map<String, String> options, String... args) {
        for (int i = 0; i < args.length; i++) {
            boolean flag = i + 1 == args.length || args[i + 1].startsWith("--");
            options.put(args[i], flag ? null : args[++i]);
        }
    }

    private Path corpus(String name, int n) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("{\"text\": \"example " + i + (i % 2 == 0 ? " 0123456789" : " hello world") + "\", \"domain\": \"" + (i % 2 == 0 ? "a" : "b") + "\"}");
        }
        return Files.write(dir.resolve(name), lines);
    }

    private static void contains(String text, String expected) {
        assertTrue(text.contains(expected), "expected \"" + expected + "\" in: " + text);
    }

    @Test
    void badOptionsNameTheOption() {
        for (String command : List.of("demo", "experiment")) {
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--steps", "0"), "--steps must be >= 1, got 0");
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--round", "0"), "--round must be >= 1");
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--batch", "-3"), "--batch must be >= 1, got -3");
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--sketch", "-1"), "--sketch must be exact (or 0), count:R (or R >= 1) or factored:AxB");
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--sketch", "factored:64x0"), "got 'factored:64x0'");
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--heads", "3"), "--width 16 must be a multiple of --heads 3");
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--lambda", "NaN"), "--lambda must be auto, auto-all or a finite number >= 0");
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--lambda", "-1"), "--lambda must be auto, auto-all or a finite number >= 0");
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--eta", "0"), "--eta must be finite and > 0");
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--regroup-k", "0..3"), "every k must be >= 1");
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--regroup-k", "lots"), "bad k list 'lots'");
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--backend", "tpu"), "unknown backend 'tpu'");
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--attention", "flash"), "kernels or cudnn");
            contains(fails(command, ExitCodes.BAD_OPTIONS, "--steps", "many"), "see rnb " + command + " --help");
        }
        contains(fails("experiment", ExitCodes.BAD_OPTIONS, "--methods", "stratified,magic"), "unknown mixing method 'magic'");
        contains(fails("experiment", ExitCodes.BAD_OPTIONS, "--seeds", "0"), "--seeds must be >= 1");
    }

    @Test
    void conflictingOptions() throws IOException {
        Path input = corpus("c.jsonl", 40);
        contains(fails("demo", ExitCodes.BAD_OPTIONS, "--eval", input.toString()), "--eval needs --input");
        contains(fails("demo", ExitCodes.BAD_OPTIONS, "--oracle", "--input", input.toString()), "--oracle applies to the built-in corpus");
        Path ids = Files.writeString(dir.resolve("ids.txt"), "0\n1\n");
        contains(fails("experiment", ExitCodes.BAD_OPTIONS, "--oracle", "--domains-from", ids.toString()), "without --domains-from");
    }

    @Test
    void badInputFilesNameTheFile() throws IOException {
        contains(fails("demo", ExitCodes.BAD_INPUT, "--input", dir.resolve("missing.jsonl").toString()), "missing.jsonl: no such file");
        contains(fails("demo", ExitCodes.BAD_INPUT, "--input", Files.writeString(dir.resolve("empty.jsonl"), "").toString()),
                "empty.jsonl: no training examples");
        contains(fails("demo", ExitCodes.BAD_INPUT, "--input", corpus("five.jsonl", 5).toString()), "five.jsonl: too few examples");
        Path input = corpus("c.jsonl", 40);
        Path eval = Files.writeString(dir.resolve("e.jsonl"), "{\"text\": \"x\", \"domain\": \"zzz\"}\n");
        contains(fails("experiment", ExitCodes.BAD_INPUT, "--input", input.toString(), "--eval", eval.toString()),
                "e.jsonl:1: field \"domain\": domain \"zzz\" has no training examples");
    }

    @Test
    void badDomainAssignmentFiles() throws IOException {
        Path input = corpus("c.jsonl", 40);
        String[] withInput = {"--input", input.toString(), "--domains-from"};
        contains(fails("demo", ExitCodes.BAD_INPUT, concat(withInput, dir.resolve("nope.txt").toString())), "nope.txt: no such file");
        Path word = Files.writeString(dir.resolve("word.txt"), "0\n1\ntwo\n");
        contains(fails("demo", ExitCodes.BAD_INPUT, concat(withInput, word.toString())), "word.txt:3: expected a cluster id (integer >= 0), got 'two'");
        Path negative = Files.writeString(dir.resolve("neg.txt"), "# ids\n-1\n");
        contains(fails("demo", ExitCodes.BAD_INPUT, concat(withInput, negative.toString())), "neg.txt:2:");
        Path short_ = Files.writeString(dir.resolve("short.txt"), "0\n1\n");
        contains(fails("demo", ExitCodes.BAD_INPUT, concat(withInput, short_.toString())), "short.txt: has 2 cluster ids; expected one per example");
        Path utf = Files.write(dir.resolve("utf.txt"), new byte[] {'0', '\n', (byte) 0xC3, '\n'});
        contains(fails("demo", ExitCodes.BAD_INPUT, concat(withInput, utf.toString())), "utf.txt: invalid UTF-8");
        Path blank = Files.writeString(dir.resolve("blank.txt"), "\n# nothing\n");
        contains(fails("demo", ExitCodes.BAD_INPUT, concat(withInput, blank.toString())), "blank.txt: no cluster ids");
        // Cluster 5 is named but no training example carries it: a domain that could never be sampled.
        List<String> gap = new ArrayList<>();
        for (int i = 0; i < 40; i++) gap.add(i % 10 == 9 ? "5" : String.valueOf(i % 2));
        Path gapFile = Files.write(dir.resolve("gap.txt"), gap);
        contains(fails("demo", ExitCodes.BAD_INPUT, concat(withInput, gapFile.toString())), "gap.txt: cluster id 2 has no training examples");
    }

    @Test
    void unwritableOutputFailsBeforeTraining() throws IOException {
        Path blocker = Files.writeString(dir.resolve("blocker"), "a file");
        for (String command : List.of("demo", "experiment")) {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(Arrays.asList(ExperimentCommandTest.TINY));
            args.addAll(List.of("--steps", "2", "--oracle", "--out", blocker.resolve("run").toString()));
            CliRun.Result r = CliRun.capture(args.toArray(String[]::new));
            assertEquals(ExitCodes.OUTPUT_NOT_WRITABLE, r.code(), r.stdout() + r.stderr());
            contains(r.stderr(), "rnb " + command + ": cannot write " + blocker.resolve("run") + " (a file is in the way of a folder)");
            assertFalse(r.stdout().contains("step 2"), "no training before the output is known to be writable: " + r.stdout());
        }
        assertEquals("a file", Files.readString(blocker));
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
