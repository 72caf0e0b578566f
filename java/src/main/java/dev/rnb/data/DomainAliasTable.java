package dev.rnb.data;

import java.util.function.IntPredicate;

/**
 * Walker/Vose alias table over domains: O(1) per draw (one generator call),
 * O(k) to rebuild, and no allocation after construction (k = 10^6 domains
 * take 16 bytes each: a double and two ints).
 *
 * <p>Only domains that are eligible (e.g. have examples) and have positive
 * weight enter the table; column j holds domain {@code domain[j]} with
 * probability {@code keep[j]} and otherwise the domain of column
 * {@code alias[j]}. The table is a pure function of the weights, so restoring
 * the weights and the generator state reproduces every later draw.
 */
final class DomainAliasTable {
    private final double[] keep;
    private final int[] alias;
    private final int[] domain;
    private final int[] work;
    private int columns;

    DomainAliasTable(int domains) {
        keep = new double[domains];
        alias = new int[domains];
        domain = new int[domains];
        work = new int[domains];
    }

    /**
     * Rebuilds the table for weights {@code w} (finite, non-negative, any
     * scale) over the eligible domains; false, leaving the table as it was,
     * when no eligible domain has positive weight.
     */
    boolean rebuild(float[] w, IntPredicate eligible) {
        double total = 0;
        int m = 0;
        for (int d = 0; d < w.length; d++) {
            if (w[d] > 0 && eligible.test(d)) {
                total += w[d];
                m++;
            }
        }
        if (m == 0) return false;
        columns = 0;
        for (int d = 0; d < w.length; d++) {
            if (w[d] > 0 && eligible.test(d)) {
                domain[columns] = d;
                keep[columns] = w[d] * (m / total); // mean 1 over the m columns
                columns++;
            }
        }
        // Vose: columns below 1 ("small") are stacked from the front of work,
        // the others ("large") from the back; each step fills one small column
        // from one large, so the two stacks never overlap.
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
        // What is left is 1 up to rounding: those columns always keep their domain.
        while (small > 0) keep[work[--small]] = 1;
        while (large < m) keep[work[large++]] = 1;
        return true;
    }

    /** One domain, drawn with probability proportional to its weight (one generator call). */
    int draw(SeededRandom rng) {
        double x = rng.nextDouble() * columns;
        int j = Math.min((int) x, columns - 1);
        return x - j < keep[j] ? domain[j] : domain[alias[j]];
    }
}
