package dev.rnb.embed;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashingEmbedderTest {

    private static String randomText(SplittableRandom r, String letters, int words) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < words; w++) {
            int len = 3 + r.nextInt(6);
            for (int i = 0; i < len; i++) sb.append(letters.charAt(r.nextInt(letters.length())));
            sb.append(r.nextInt(5) == 0 ? ". " : " ");
        }
        return sb.toString();
    }

    private static double dot(float[] x, int i, int j, int d) {
        double s = 0;
        for (int c = 0; c < d; c++) s += (double) x[i * d + c] * x[j * d + c];
        return s;
    }

    @Test
    void deterministicUnitRowsOfTheRequestedDimension() {
        SplittableRandom r = new SplittableRandom(3);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) texts.add(randomText(r, "abcdefghijklmnopqrstuvwxyz", 5 + r.nextInt(40)));
        texts.add("");
        for (int dims : new int[]{1, 17, 256}) {
            float[] a = HashingEmbedder.fit(texts, dims, 42).embed(texts);
            float[] b = HashingEmbedder.fit(texts, dims, 42).embed(texts);
            assertEquals(texts.size() * dims, a.length);
            assertArrayEquals(a, b, "same inputs and seed give the same bits");
            for (int i = 0; i < texts.size() - 1; i++) {
                assertEquals(1.0, dot(a, i, i, dims), 1e-5, "row " + i + " is unit length");
            }
            assertEquals(0.0, dot(a, texts.size() - 1, texts.size() - 1, dims), "a text without words embeds to zeros");
        }
        float[] otherSeed = HashingEmbedder.fit(texts, 256, 43).embed(texts);
        float[] seed42 = HashingEmbedder.fit(texts, 256, 42).embed(texts);
        assertTrue(!Arrays.equals(otherSeed, seed42), "the projection depends on the seed");
    }

    @Test
    void documentFrequenciesSummedOverPartsGiveTheFittedEmbedder() {
        SplittableRandom r = new SplittableRandom(11);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 150; i++) texts.add(randomText(r, "abcdefghij", 3 + r.nextInt(30)));
        long[] df = new long[HashingEmbedder.buckets()];
        // Counted in three parts of ragged sizes, as partitions of a cluster would.
        for (List<String> part : List.of(texts.subList(0, 7), texts.subList(7, 100), texts.subList(100, 150))) {
            for (String t : part) for (int b : HashingEmbedder.distinctFeatures(t)) df[b]++;
        }
        float[] fitted = HashingEmbedder.fit(texts, 48, 9).embed(texts);
        assertArrayEquals(fitted, HashingEmbedder.fromDocumentFrequencies(df, texts.size(), 48, 9).embed(texts));
        df[HashingEmbedder.distinctFeatures(texts.get(0))[0]] += 5;
        assertTrue(!Arrays.equals(fitted, HashingEmbedder.fromDocumentFrequencies(df, texts.size(), 48, 9).embed(texts)),
                "the IDF weights come from the counts");
    }

    @Test
    void identicalTextsGiveIdenticalVectors() {
        List<String> texts = List.of("The cat sat on the mat.", "Stock prices fell sharply today.", "The cat sat on the mat.");
        float[] e = HashingEmbedder.fit(texts, 64, 1).embed(texts);
        assertArrayEquals(Arrays.copyOfRange(e, 0, 64), Arrays.copyOfRange(e, 128, 192));
        float[] alone = HashingEmbedder.fit(texts, 64, 1).embed(List.of("The cat sat on the mat."));
        assertArrayEquals(Arrays.copyOfRange(e, 0, 64), alone, "embedding a text does not depend on its batch");
    }

    @Test
    void disjointVocabulariesAreNearOrthogonalAndSharedTopicsAreClose() {
        SplittableRandom r = new SplittableRandom(11);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 40; i++) texts.add(randomText(r, "abcdefghijklm", 60));
        for (int i = 0; i < 40; i++) texts.add(randomText(r, "nopqrstuvwxyz", 60));
        int d = 256;
        float[] e = HashingEmbedder.fit(texts, d, 5).embed(texts);
        double worst = 0;
        for (int i = 0; i < 40; i++) {
            for (int j = 40; j < 80; j++) worst = Math.max(worst, Math.abs(dot(e, i, j, d)));
        }
        assertTrue(worst < 0.35, "max |cos| across disjoint vocabularies " + worst);
        List<String> topics = List.of("apple banana cherry fruit salad", "banana cherry apple fruit bowl", "quantum field theory lecture");
        float[] t = HashingEmbedder.fit(topics, d, 5).embed(topics);
        assertTrue(dot(t, 0, 1, d) > 0.3 + dot(t, 0, 2, d), "shared words bring texts closer");
    }
}
