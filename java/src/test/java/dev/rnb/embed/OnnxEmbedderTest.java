package dev.rnb.embed;

import dev.rnb.regroup.Embedded;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in neural embedder (all-MiniLM-L6-v2 through ONNX Runtime) against a reference and its own contract. */
class OnnxEmbedderTest {
    private static OnnxEmbedder embedder;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        embedder = OnnxEmbedder.builtin(2, EmbedderDevice.CPU, LongTexts.TRUNCATE, null, false);
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    private static List<String> resourceLines(String name) throws IOException {
        try (InputStream in = OnnxEmbedderTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isEmpty()).toList();
        }
    }

    /**
     * reference-vectors.tsv: the same sentences through tokenizers.js and
     * onnxruntime-node (scripts/embed-reference), one sentence per run.
     */
    @Test
    void matchesAnIndependentImplementation() throws IOException {
        List<String> sentences = resourceLines("reference-sentences.txt");
        List<String> vectors = resourceLines("reference-vectors.tsv");
        assertEquals(sentences.size(), vectors.size());
        float[] x = embedder.embed(sentences);
        int d = embedder.dims();
        assertEquals(384, d);
        for (int i = 0; i < sentences.size(); i++) {
            double[] ref = Arrays.stream(vectors.get(i).split("\t")).mapToDouble(Double::parseDouble).toArray();
            assertEquals(d, ref.length);
            double dot = 0, nr = 0, nx = 0;
            for (int j = 0; j < d; j++) {
                dot += ref[j] * x[i * d + j];
                nr += ref[j] * ref[j];
                nx += (double) x[i * d + j] * x[i * d + j];
            }
            double cosine = dot / Math.sqrt(nr * nx);
            assertTrue(cosine > 1 - 1e-4, "sentence " + i + " (" + sentences.get(i) + "): cosine " + cosine);
            assertEquals(1.0, Math.sqrt(nx), 1e-5, "unit length");
        }
    }

    private static List<String> randomTexts(SplittableRandom r, int n, int maxWords) {
        String[] words = {"river", "bank", "interest", "goal", "match", "oven", "bread", "court", "appeal", "galaxy", "orbit",
                "café", "naïve", "東京", "über", "the", "a", "of", "and", "quickly", "slowly", "because", "42", "—"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + r.nextInt(maxWords);
            for (int w = 0; w < len; w++) sb.append(words[r.nextInt(words.length)]).append(' ');
            out.add(sb.toString().trim());
        }
        return out;
    }

    @Test
    void deterministicAndIndependentOfTheBatch() {
        SplittableRandom r = new SplittableRandom(7);
        List<String> texts = randomTexts(r, 40, 60);
        float[] all = embedder.embed(texts);
        assertArrayEquals(all, embedder.embed(texts), "same input, same bits");
        int d = embedder.dims();
        // Each of a few texts alone (no padding, batch of one) and in a shuffled mix of other lengths.
        List<String> shuffled = new ArrayList<>(texts.subList(20, 40));
        java.util.Collections.shuffle(shuffled, new java.util.Random(r.nextLong()));
        for (int i : new int[]{0, 7, 19}) {
            float[] alone = embedder.embed(List.of(texts.get(i)));
            List<String> mixed = new ArrayList<>(shuffled);
            mixed.add(11, texts.get(i));
            float[] inMix = Arrays.copyOfRange(embedder.embed(mixed), 11 * d, 12 * d);
            for (int j = 0; j < d; j++) {
                assertEquals(all[i * d + j], alone[j], 1e-5, "text " + i + " alone, coordinate " + j);
                assertEquals(alone[j], inMix[j], 1e-5, "text " + i + " in another batch, coordinate " + j);
            }
        }
    }

    @Test
    void emptyAndWhitespaceTextsAreTheModelsVectorForNothing() {
        int d = embedder.dims();
        float[] x = embedder.embed(List.of("", "   ", "\t\n  ", "something else"));
        float[] empty = Arrays.copyOfRange(x, 0, d);
        double norm = 0;
        for (float v : empty) {
            assertTrue(Float.isFinite(v));
            norm += v * v;
        }
        assertEquals(1.0, Math.sqrt(norm), 1e-5);
        assertArrayEquals(empty, Arrays.copyOfRange(x, d, 2 * d), 1e-6f);
        assertArrayEquals(empty, Arrays.copyOfRange(x, 2 * d, 3 * d), 1e-6f);
        assertFalse(Arrays.equals(empty, Arrays.copyOfRange(x, 3 * d, 4 * d)));
    }

    @Test
    void chunkingAveragesTheWindowsOfLongTextsOnly() {
        SplittableRandom r = new SplittableRandom(3);
        String shortText = randomTexts(r, 1, 20).get(0);
        String longText = String.join(" ", randomTexts(r, 40, 30));   // far over 256 tokens
        try (OnnxEmbedder chunked = OnnxEmbedder.builtin(2, EmbedderDevice.CPU, LongTexts.CHUNK, null, false)) {
            List<String> texts = List.of(shortText, longText);
            float[] t = embedder.embed(texts), c = chunked.embed(texts);
            int d = embedder.dims();
            assertArrayEquals(Arrays.copyOfRange(t, 0, d), Arrays.copyOfRange(c, 0, d), 1e-6f, "a short text is one window either way");
            assertTrue(chunked.lastTiming().segments() > 2, "the long text made several windows");
            double dot = 0, diff = 0;
            for (int j = 0; j < d; j++) {
                dot += t[d + j] * c[d + j];
                diff = Math.max(diff, Math.abs(t[d + j] - c[d + j]));
            }
            assertTrue(diff > 1e-3, "chunking changed the long text's vector");
            assertTrue(dot > 0.5, "but it is about the same text: cosine " + dot);
        }
    }

    @Test
    void secondRunReadsTheCache() throws IOException {
        Path cacheDir = dir.resolve("cache");
        List<String> train = randomTexts(new SplittableRandom(11), 20, 30), eval = randomTexts(new SplittableRandom(12), 5, 30);
        try (OnnxEmbedder cached = OnnxEmbedder.builtin(2, EmbedderDevice.CPU, LongTexts.TRUNCATE, cacheDir, false)) {
            Embedded first = cached.embed(train, eval);
            List<Path> entries;
            try (var s = Files.list(cacheDir)) {
                entries = s.toList();
            }
            assertEquals(1, entries.size());
            // The same texts split otherwise read the same entry.
            List<String> all = new ArrayList<>(train);
            all.addAll(eval);
            Embedded resplit = cached.embed(all.subList(0, 10), all.subList(10, 25));
            assertArrayEquals(first.eval(), Arrays.copyOfRange(resplit.eval(), 10 * 384, 15 * 384));
            // Overwrite the entry with recognisable values: a second run must return them, not recompute.
            dev.rnb.data.Npy.Matrix stored = dev.rnb.data.Npy.read(entries.get(0));
            float[] marker = new float[stored.rows() * 384];
            Arrays.fill(marker, 0.25f);
            Files.write(entries.get(0), dev.rnb.data.Npy.encode(stored.rows(), 384, marker));
            Embedded second = cached.embed(train, eval);
            assertEquals(0.25f, second.train()[0]);
            assertEquals(0.25f, second.eval()[5 * 384 - 1]);
            // Another text list is another entry, embedded afresh.
            List<String> changed = new ArrayList<>(train);
            changed.set(0, changed.get(0) + " changed");
            Embedded third = cached.embed(changed, eval);
            assertArrayEquals(first.eval(), third.eval(), 1e-5f);
            try (var s = Files.list(cacheDir)) {
                assertEquals(2, s.count());
            }
        }
    }
}
