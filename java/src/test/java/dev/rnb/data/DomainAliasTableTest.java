package dev.rnb.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Empirical frequencies of alias-table draws against the weights, by a chi-square test (seeded, so deterministic). */
class DomainAliasTableTest {

    /** Pearson's statistic over the cells with positive expectation; cells with zero expectation must stay empty. */
    private static double chiSquare(long[] counts, float[] w, boolean[] eligible, long draws) {
        double total = 0;
        for (int d = 0; d < w.length; d++) if (eligible[d]) total += w[d];
        double chi = 0;
        for (int d = 0; d < w.length; d++) {
            double expected = eligible[d] ? draws * (w[d] / total) : 0;
            if (expected == 0) {
                assertEquals(0, counts[d], "domain " + d + " has no weight but was drawn");
                continue;
            }
            double diff = counts[d] - expected;
            chi += diff * diff / expected;
        }
        return chi;
    }

    private static long[] draw(DomainAliasTable table, int k, long draws, long seed) {
        SeededRandom rng = new SeededRandom(seed);
        long[] counts = new long[k];
        for (long i = 0; i < draws; i++) counts[table.draw(rng)]++;
        return counts;
    }

    @Test
    void smallTableMatchesTheWeights() {
        float[] w = {0.5f, 0f, 3f, 1e-3f, 7f, 2f};
        boolean[] eligible = {true, true, true, true, true, false}; // domain 5 has no examples
        DomainAliasTable table = new DomainAliasTable(w.length);
        assertTrue(table.rebuild(w, d -> eligible[d]));
        long draws = 400_000;
        long[] counts = draw(table, w.length, draws, 7);
        // 4 cells with weight, 3 degrees of freedom: P(chi2 > 21.1) = 1e-4.
        assertTrue(chiSquare(counts, w, eligible, draws) < 21.1);
        assertTrue(counts[3] > 0, "a tiny weight is still drawn");
    }

    @Test
    void millionDomainTableMatchesTheWeights() {
        int k = 1_000_000;
        SeededRandom init = new SeededRandom(11);
        float[] w = new float[k];
        boolean[] eligible = new boolean[k];
        int cells = 0;
        for (int d = 0; d < k; d++) {
            w[d] = d % 97 == 0 ? 0f : (float) (0.2 + 1.6 * init.nextDouble()); // ragged, some zero
            eligible[d] = d % 101 != 0;
            if (w[d] > 0 && eligible[d]) cells++;
        }
        DomainAliasTable table = new DomainAliasTable(k);
        assertTrue(table.rebuild(w, d -> eligible[d]));
        long draws = 10L * k; // about 10 expected per cell
        double chi = chiSquare(draw(table, k, draws, 3), w, eligible, draws);
        double df = cells - 1;
        // Normal approximation of chi2(df): 5 standard deviations above the mean.
        assertTrue(chi < df + 5 * Math.sqrt(2 * df), "chi2 " + chi + " with " + df + " degrees of freedom");
    }

    @Test
    void concentratedWeightsAndRebuildsReuseTheTable() {
        int k = 1000;
        float[] w = new float[k];
        w[123] = 1f;
        DomainAliasTable table = new DomainAliasTable(k);
        assertTrue(table.rebuild(w, d -> true));
        SeededRandom rng = new SeededRandom(5);
        for (int i = 0; i < 1000; i++) assertEquals(123, table.draw(rng));
        float[] none = new float[k];
        none[7] = 1f;
        assertFalse(table.rebuild(none, d -> d != 7)); // no eligible weight: refused, table kept
        assertEquals(123, table.draw(rng));
        w[999] = 3f;
        assertTrue(table.rebuild(w, d -> true));
        long[] counts = draw(table, k, 100_000, 9);
        assertEquals(0.75, counts[999] / 100_000.0, 0.01);
        assertEquals(100_000, counts[123] + counts[999]);
    }
}
