package dev.rnb.data;

import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;

import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packed alias table (a column's keep threshold, domain and alias domain
 * in two adjacent longs) draws exactly what Vose's method over separate
 * keep, alias and domain arrays draws, written out here the plain way: same
 * weights, same generator, same domains, so packing changed no run; nor
 * did returning a column's domain unread below every column's keep.
 */
class DomainAliasLayoutTest {

    @Test
    void packedTableDrawsWhatThePlainTableDraws() {
        Rng rng = new Rng();
        for (int trial = 0; trial < 40; trial++) {
            int k = 1 + rng.nextInt(trial < 30 ? 60 : 100_000);
            float[] w = new float[k];
            for (int d = 0; d < k; d++) w[d] = rng.nextInt(4) == 0 ? 0f : (float) rng.nextDouble() * (rng.nextInt(3) == 0 ? 100 : 1);
            int skip = 2 + rng.nextInt(5);
            IntPredicate eligible = d -> d % skip != 1;
            w[0] = 1f; // domain 0 is always eligible: at least one column
            DomainAliasTable packed = new DomainAliasTable(k);
            packed.rebuild(w, eligible);
            PlainTable plain = new PlainTable(w, eligible);
            SeededRandom a = new SeededRandom(trial), b = new SeededRandom(trial);
            for (int i = 0; i < 20_000; i++) assertEquals(plain.draw(b), packed.draw(a), rng + ": k=" + k + ", draw " + i);
        }
    }

    /**
     * Near-uniform weights over every domain of a table too large for the
     * cache: most draws return their column's domain unread, and every draw
     * is still the plain table's.
     */
    @Test
    void drawsThatReadNoColumnAreThePlainTablesDraws() {
        Rng rng = new Rng();
        for (int trial = 0; trial < 12; trial++) {
            int k = DomainAliasTable.CACHED_COLUMNS + 1 + rng.nextInt(trial < 10 ? 100_000 : 1_000_000);
            double spread = trial % 3 == 0 ? 0 : trial % 3 == 1 ? 1e-3 : 0.05 * rng.nextDouble();
            float[] w = new float[k];
            for (int d = 0; d < k; d++) w[d] = (float) Math.exp(spread * (2 * rng.nextDouble() - 1));
            DomainAliasTable packed = new DomainAliasTable(k);
            packed.rebuild(w, d -> true);
            PlainTable plain = new PlainTable(w, d -> true);
            double smallest = 1;
            for (double keep : plain.keep) smallest = Math.min(smallest, keep);
            assertEquals(smallest, packed.unreadShare(), rng + ": the smallest keep, k=" + k);
            assertTrue(packed.unreadShare() > Math.exp(-2.5 * spread) - 1e-9, rng + ": unread share " + packed.unreadShare() + " at spread " + spread);
            SeededRandom a = new SeededRandom(trial), b = new SeededRandom(trial);
            for (int i = 0; i < 200_000; i++) assertEquals(plain.draw(b), packed.draw(a), rng + ": k=" + k + ", draw " + i);
        }
        // Not every domain drawable, or a table that stays in cache: every draw reads its column.
        float[] w = new float[DomainAliasTable.CACHED_COLUMNS + 10];
        java.util.Arrays.fill(w, 1f);
        DomainAliasTable table = new DomainAliasTable(w.length);
        table.rebuild(w, d -> d != 3);
        assertEquals(0, table.unreadShare());
        table.rebuild(java.util.Arrays.copyOf(w, DomainAliasTable.CACHED_COLUMNS), d -> true);
        assertEquals(0, table.unreadShare());
        table.rebuild(w, d -> true);
        assertEquals(1, table.unreadShare());
    }

    /** Vose's method with three arrays, the same stacking order and rounding as the packed table. */
    private static final class PlainTable {
        final double[] keep;
        final int[] alias, domain;
        final int columns;

        PlainTable(float[] w, IntPredicate eligible) {
            double total = 0;
            int m = 0;
            for (int d = 0; d < w.length; d++) if (w[d] > 0 && eligible.test(d)) { total += w[d]; m++; }
            keep = new double[m];
            alias = new int[m];
            domain = new int[m];
            int c = 0;
            for (int d = 0; d < w.length; d++) {
                if (w[d] > 0 && eligible.test(d)) {
                    domain[c] = d;
                    keep[c++] = w[d] * (m / total);
                }
            }
            int[] work = new int[m];
            int small = 0, large = m;
            for (int j = 0; j < m; j++) {
                if (keep[j] < 1) work[small++] = j;
                else work[--large] = j;
            }
            while (small > 0 && large < m) {
                int s = work[--small], l = work[large++];
                alias[s] = l;
                keep[l] = (keep[l] + keep[s]) - 1;
                if (keep[l] < 1) work[small++] = l;
                else work[--large] = l;
            }
            while (small > 0) keep[work[--small]] = 1;
            while (large < m) keep[work[large++]] = 1;
            columns = m;
        }

        int draw(SeededRandom rng) {
            double x = rng.nextDouble() * columns;
            int j = Math.min((int) x, columns - 1);
            return x - j < keep[j] ? domain[j] : domain[alias[j]];
        }
    }
}
