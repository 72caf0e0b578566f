package dev.rnb.cli;

import dev.rnb.data.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input to {@code rnb regroup}: one line naming the file (and line), exit {@link ExitCodes#BAD_INPUT}, no output folder. */
class RegroupBadInputTest {
    @TempDir
    Path dir;

    private String fails(int code, String... extra) {
        Path out = dir.resolve("out");
        List<String> args = new ArrayList<>(List.of("regroup", "--out", out.toString(), "--k", "2", "--backend", "cpu", "--embedder", "hashed", "--dims", "8"));
        args.addAll(Arrays.asList(extra));
        String line = CliRun.fails(code, out, args.toArray(String[]::new));
        assertTrue(!Files.exists(out), "no output folder after a failure");
        return line;
    }

    private Path corpus(String name, int n) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) lines.add("{\"text\": \"example number " + i + " about " + (i % 2 == 0 ? "cats" : "stars") + "\"}");
        return Files.write(dir.resolve(name), lines);
    }

    private static void contains(String text, String expected) {
        assertTrue(text.contains(expected), "expected \"" + expected + "\" in: " + text);
    }

    @Test
    void badCorpusFiles() throws IOException {
        contains(fails(ExitCodes.BAD_INPUT, "--train", Files.write(dir.resolve("empty.jsonl"), new byte[0]).toString()), "empty.jsonl: empty file");
        contains(fails(ExitCodes.BAD_INPUT, "--train", dir.resolve("missing.jsonl").toString()), "missing.jsonl: no such file or directory");
        byte[] badUtf8 = "{\"text\": \"a\u00e9\"}\n{\"text\": \"b\"}".getBytes(StandardCharsets.UTF_8);
        badUtf8[12] = (byte) 0xFF;
        contains(fails(ExitCodes.BAD_INPUT, "--train", Files.write(dir.resolve("utf.jsonl"), badUtf8).toString()), "utf.jsonl:1:");
        contains(fails(ExitCodes.BAD_INPUT, "--train", Files.writeString(dir.resolve("num.jsonl"), "{\"text\": 5}\n").toString()), "num.jsonl:1:");
        Path nul = Files.write(dir.resolve("nul.jsonl"), new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', ' ', 0, '}'});
        contains(fails(ExitCodes.BAD_INPUT, "--train", nul.toString()), "nul.jsonl:1:");
    }

    @Test
    void badNpyFiles() throws IOException {
        Path train = corpus("train.jsonl", 20);
        byte[] good = Npy.encode(20, 4, new float[80]);
        Path truncated = Files.write(dir.resolve("t.npy"), Arrays.copyOf(good, good.length - 3));
        contains(fails(ExitCodes.BAD_INPUT, "--train", train.toString(), "--train-embeddings", truncated.toString()), "t.npy: holds");
        Path notNpy = Files.writeString(dir.resolve("x.npy"), "not numpy at all");
        contains(fails(ExitCodes.BAD_INPUT, "--train", train.toString(), "--train-embeddings", notNpy.toString()), "x.npy: not a .npy file");
    }

    @Test
    void duplicateIdsAndBadEmbeddings() throws IOException {
        Path dup = Files.writeString(dir.resolve("dup.jsonl"),
                "{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": 7, \"text\": \"y\"}\n{\"id\": \"a\", \"text\": \"z\"}\n");
        contains(fails(ExitCodes.BAD_INPUT, "--train", dup.toString()), "dup.jsonl:3: field \"id\": duplicate id 'a' (first on line 1)");
        Path train = corpus("train.jsonl", 20);
        float[] values = new float[80];
        values[2 * 4 + 1] = Float.NaN;
        Path nan = Files.write(dir.resolve("nan.npy"), Npy.encode(20, 4, values));
        contains(fails(ExitCodes.BAD_INPUT, "--train", train.toString(), "--train-embeddings", nan.toString()),
                "nan.npy: row 2, column 1 is NaN (embeddings must be finite)");
        values[2 * 4 + 1] = Float.POSITIVE_INFINITY;
        Path inf = Files.write(dir.resolve("inf.npy"), Npy.encode(20, 4, values));
        contains(fails(ExitCodes.BAD_INPUT, "--train", train.toString(), "--train-embeddings", inf.toString()), "is Infinity");
        Path rows = Files.write(dir.resolve("rows.npy"), Npy.encode(19, 4, new float[76]));
        contains(fails(ExitCodes.BAD_INPUT, "--train", train.toString(), "--train-embeddings", rows.toString()),
                "rows.npy: has 19 rows but the corpus has 20 examples");
        Path eval = corpus("eval.jsonl", 6);
        Path trainNpy = Files.write(dir.resolve("t.npy"), Npy.encode(20, 4, new float[80]));
        Path evalNpy = Files.write(dir.resolve("e.npy"), Npy.encode(6, 5, new float[30]));
        contains(fails(ExitCodes.BAD_INPUT, "--train", train.toString(), "--eval", eval.toString(), "--train-embeddings", trainNpy.toString(),
                "--eval-embeddings", evalNpy.toString()), "training embeddings have 4 dims, evaluation embeddings 5");
    }

    @Test
    void unwritableOutput() throws IOException {
        Path train = corpus("train.jsonl", 20);
        Path blocker = Files.writeString(dir.resolve("blocker"), "a file");
        String line = CliRun.fails(ExitCodes.OUTPUT_NOT_WRITABLE, blocker.resolve("run"), "regroup", "--train", train.toString(),
                "--out", blocker.resolve("run").toString(), "--k", "2", "--backend", "cpu", "--embedder", "hashed", "--dims", "8");
        contains(line, blocker.resolve("run").toString());
        assertEquals("a file", Files.readString(blocker));
    }

    /** Files that exist but cannot be read as files at all are bad input (exit 3), not an internal error. */
    @Test
    void unreadableFiles() throws IOException {
        Path train = corpus("train.jsonl", 20);
        Path folder = Files.createDirectory(dir.resolve("folder.npy"));
        contains(fails(ExitCodes.BAD_INPUT, "--train", train.toString(), "--train-embeddings", folder.toString()), "folder.npy: cannot read (");
        Path loop = dir.resolve("loop.npy");
        Files.createSymbolicLink(loop, loop);
        contains(fails(ExitCodes.BAD_INPUT, "--train", train.toString(), "--train-embeddings", loop.toString()), "loop.npy: cannot read (");
    }

    @Test
    void conflictingOptions() throws IOException {
        Path train = corpus("train.jsonl", 20);
        contains(fails(ExitCodes.BAD_OPTIONS, "--train", train.toString(), "--embedding-field", "e", "--train-embeddings", "a.npy"),
                "not both");
        contains(fails(ExitCodes.BAD_OPTIONS, "--train", train.toString(), "--max-iterations", "many"), "see rnb regroup --help");
    }
}
