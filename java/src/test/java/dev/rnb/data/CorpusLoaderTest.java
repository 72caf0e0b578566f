package dev.rnb.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorpusLoaderTest {
    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path file(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return p;
    }

    private CorpusFormatException failure(Path p, String expected, long line) {
        CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(p, LoadOptions.defaults()));
        assertTrue(e.getMessage().startsWith(p.toString() + (line > 0 ? ":" + line + ": " : ": ")), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(line, e.line());
        assertFalse(e.getMessage().contains("\n"), "one-line message");
        return e;
    }

    @Test
    void readsTextsDomainsAndSkipsBlankLines() throws IOException {
        Path p = file("a.jsonl", "{\"text\":\"héllo wörld\",\"domain\":\"greet\"}\r\n\n{\"text\":\"two\",\"domain\":7}\n{\"text\":\"three\"}");
        Corpus c = CorpusLoader.load(p, LoadOptions.defaults());
        assertEquals(List.of("héllo wörld", "two", "three"), c.texts());
        assertEquals(Arrays.asList("greet", "7", null), c.domains());
        assertFalse(c.hasDomains());
        assertFalse(c.hasEmbeddings());
    }

    @Test
    void customFieldsAndEmbeddings() throws IOException {
        Path p = file("b.jsonl", "{\"body\":\"x\",\"src\":\"s1\",\"emb\":[1,2.5]}\n{\"body\":\"y\",\"src\":\"s2\",\"emb\":[3,4]}\n");
        Corpus c = CorpusLoader.load(p, new LoadOptions("body", "src", "emb", false));
        assertTrue(c.hasDomains());
        assertEquals(2, c.embeddingDim());
        assertArrayEquals(new float[]{1, 2.5f, 3, 4}, c.embeddings());
    }

    @Test
    void malformedInputNamesFileLineAndProblem() throws IOException {
        failure(file("empty.jsonl", ""), "empty file", 0);
        failure(file("blank.jsonl", "\n\n  \n"), "empty file", 0);
        failure(file("badjson.jsonl", "{\"text\":\"ok\"}\n{\"text\": oops}\n"), "bad JSON", 2);
        failure(file("trailing.jsonl", "{\"text\":\"ok\"} {}\n"), "bad JSON", 1);
        failure(file("array.jsonl", "[1,2]\n"), "expected a JSON object", 1);
        failure(file("missing.jsonl", "{\"text\":\"ok\"}\n{\"txt\":\"no\"}\n"), "missing field \"text\"", 2);
        failure(file("type.jsonl", "{\"text\":42}\n"), "must be a string", 1);
        failure(file("dtype.jsonl", "{\"text\":\"a\",\"domain\":[1]}\n"), "must be a string or an integer", 1);
        byte[] bad = "{\"text\":\"ok\"}\n{\"text\":\"\u00ff\"}\n".getBytes(StandardCharsets.UTF_8);
        bad[bad.length - 4] = (byte) 0xC3; // 0xC3 0xBF -> 0xC3 0xC3: a broken two-byte sequence
        bad[bad.length - 5] = (byte) 0xC3;
        failure(file("utf8.jsonl", bad), "invalid UTF-8", 2);
        failure(dir.resolve("absent.jsonl"), "no such file", 0);
    }

    @Test
    void embeddingFieldErrors() throws IOException {
        LoadOptions o = new LoadOptions("text", "domain", "embedding", false);
        Path ragged = file("ragged.jsonl", "{\"text\":\"a\",\"embedding\":[1,2]}\n{\"text\":\"b\",\"embedding\":[1]}\n");
        CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(ragged, o));
        assertTrue(e.getMessage().contains(":2: ") && e.getMessage().contains("has 1 numbers"), e.getMessage());
        Path missing = file("noemb.jsonl", "{\"text\":\"a\"}\n");
        e = assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(missing, o));
        assertTrue(e.getMessage().contains("missing field \"embedding\""), e.getMessage());
        Path strings = file("stremb.jsonl", "{\"text\":\"a\",\"embedding\":[\"x\"]}\n");
        e = assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(strings, o));
        assertTrue(e.getMessage().contains("not a finite number"), e.getMessage());
    }

    @Test
    void skipBadLinesCountsThem() throws IOException {
        byte[] utf = "{\"text\":\"\u00e9\"}\n".getBytes(StandardCharsets.UTF_8);
        utf[10] = (byte) 0xFF;
        String good = "{\"text\":\"a\"}\n{\"text\":\"b\"}\n";
        byte[] all = (good + "{oops\n{\"x\":1}\n").getBytes(StandardCharsets.UTF_8);
        byte[] joined = Arrays.copyOf(all, all.length + utf.length);
        System.arraycopy(utf, 0, joined, all.length, utf.length);
        Path p = file("mixed.jsonl", joined);
        Corpus c = CorpusLoader.load(p, new LoadOptions("text", "domain", null, true));
        assertEquals(List.of("a", "b"), c.texts());
        assertEquals(3, c.skippedLines());
    }

    @Test
    void tenMegabyteLine() throws IOException {
        String big = "word ".repeat(2_200_000); // 11 MB
        Path p = file("big.jsonl", "{\"text\":\"" + big + "\"}\n{\"text\":\"small\"}\n");
        Corpus c = CorpusLoader.load(p, LoadOptions.defaults());
        assertEquals(big.length(), c.texts().get(0).length());
        assertEquals("small", c.texts().get(1));
        String huge = "x".repeat(21_000_000); // past Jackson's default 20M-char string cap
        Path q = file("huge.jsonl", "{\"text\":\"" + huge + "\"}\n");
        assertEquals(huge.length(), CorpusLoader.load(q, LoadOptions.defaults()).texts().get(0).length());
    }

    @Test
    void directoryOfTextFilesGivesDomainsBySubdirectory() throws IOException {
        file("corpus/math/1.txt", "one plus one");
        file("corpus/math/2.txt", "two times two");
        file("corpus/poetry/a.txt", "roses are red");
        file("corpus/.hidden/x.txt", "ignored");
        Corpus c = CorpusLoader.load(dir.resolve("corpus"), LoadOptions.defaults());
        assertEquals(List.of("one plus one", "two times two", "roses are red"), c.texts());
        assertEquals(List.of("math", "math", "poetry"), c.domains());
        file("corpus/poetry/empty.txt", "");
        CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(dir.resolve("corpus"), LoadOptions.defaults()));
        assertTrue(e.getMessage().contains("empty.txt: empty file"), e.getMessage());
        assertEquals(3, CorpusLoader.load(dir.resolve("corpus"), new LoadOptions("text", "domain", null, true)).size());
        Files.delete(dir.resolve("corpus/poetry/empty.txt"));
        file("corpus/stray.txt", "no domain");
        e = assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(dir.resolve("corpus"), LoadOptions.defaults()));
        assertTrue(e.getMessage().contains("subdirectory"), e.getMessage());
    }

    @Test
    void evalSplitIsSeededDisjointAndComplete() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 50; i++) sb.append("{\"text\":\"t").append(i).append("\"}\n");
        Corpus c = CorpusLoader.load(file("s.jsonl", sb.toString()), LoadOptions.defaults());
        EvalSplit.Parts a = EvalSplit.split(c, 0.2, 9), b = EvalSplit.split(c, 0.2, 9);
        assertArrayEquals(a.evalIndex(), b.evalIndex());
        assertEquals(10, a.eval().size());
        assertEquals(40, a.train().size());
        boolean[] seen = new boolean[50];
        for (int i : a.trainIndex()) seen[i] = true;
        for (int i : a.evalIndex()) {
            assertFalse(seen[i]);
            seen[i] = true;
        }
        for (boolean s : seen) assertTrue(s);
        assertEquals("t" + a.evalIndex()[0], a.eval().texts().get(0));
        assertThrows(IllegalArgumentException.class, () -> EvalSplit.split(c, 0.001, 1));
        assertNull(a.train().embeddings());
    }

    @Test
    void npyRoundTripAndStrictErrors() throws IOException {
        float[] data = {1, 2, 3, 4, 5, 6};
        Path p = file("m.npy", Npy.encode(2, 3, data));
        Npy.Matrix m = Npy.read(p);
        assertEquals(2, m.rows());
        assertEquals(3, m.cols());
        assertArrayEquals(data, m.data());
        byte[] f8 = Npy.encode(2, 3, data);
        String h = new String(f8, StandardCharsets.ISO_8859_1);
        Path f64 = file("f8.npy", h.replace("<f4", "<f8").getBytes(StandardCharsets.ISO_8859_1));
        // float64 is read (NpyConversionTest), but these bytes are 6 float32s, half of what 2 x 3 float64s need.
        assertTrue(assertThrows(CorpusFormatException.class, () -> Npy.read(f64)).getMessage().contains("needs 48"));
        Path fortran = file("fo.npy", h.replace("False", "True ").getBytes(StandardCharsets.ISO_8859_1));
        assertArrayEquals(new float[] {1, 3, 5, 2, 4, 6}, Npy.read(fortran).data());
        Path ints = file("i4.npy", h.replace("<f4", "<i4").getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(assertThrows(CorpusFormatException.class, () -> Npy.read(ints)).getMessage().contains("'<i4' is not supported"));
        Path oneD = file("1d.npy", h.replace("(2, 3)", "(6,)  ").getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(assertThrows(CorpusFormatException.class, () -> Npy.read(oneD)).getMessage().contains("1-D"));
        Path truncated = file("t.npy", Arrays.copyOf(f8, f8.length - 4));
        assertTrue(assertThrows(CorpusFormatException.class, () -> Npy.read(truncated)).getMessage().contains("data bytes"));
        Path junk = file("j.npy", "hello world, not numpy".getBytes(StandardCharsets.UTF_8));
        assertTrue(assertThrows(CorpusFormatException.class, () -> Npy.read(junk)).getMessage().contains("bad magic"));
    }
}
