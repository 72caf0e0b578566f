package dev.rnb.regroup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Agreement between two labelings of the same examples (original domains vs
 * clusters): the contingency table, the adjusted Rand index (Hubert and
 * Arabie) and normalised mutual information (arithmetic-mean normalisation,
 * as scikit-learn's default).
 */
public final class ClusterAgreement {
    private ClusterAgreement() {}

    /** table[a][b] = number of examples with label a in the first labeling and b in the second. */
    public static long[][] contingency(int[] a, int[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("labelings of " + a.length + " and " + b.length + " examples");
        }
        int ra = 0, rb = 0;
        for (int i = 0; i < a.length; i++) {
            ra = Math.max(ra, a[i] + 1);
            rb = Math.max(rb, b[i] + 1);
        }
        long[][] t = new long[ra][rb];
        for (int i = 0; i < a.length; i++) t[a[i]][b[i]]++;
        return t;
    }

    public static double adjustedRandIndex(int[] a, int[] b) {
        return adjustedRandIndex(contingency(a, b));
    }

    /** ARI from a contingency table (rows: one labeling, columns: the other), e.g. summed over a cluster's partitions. */
    public static double adjustedRandIndex(long[][] t) {
        long n = total(t);
        double sumCells = 0, sumRows = 0, sumCols = 0;
        long[] cols = new long[t.length == 0 ? 0 : t[0].length];
        for (long[] row : t) {
            long r = 0;
            for (int j = 0; j < row.length; j++) {
                sumCells += pairs(row[j]);
                r += row[j];
                cols[j] += row[j];
            }
            sumRows += pairs(r);
        }
        for (long c : cols) sumCols += pairs(c);
        double expected = sumRows * sumCols / pairs(n);
        double max = (sumRows + sumCols) / 2;
        if (max == expected) {
            return 1.0; // both labelings trivial (one cluster each, or all singletons): identical partitions
        }
        return (sumCells - expected) / (max - expected);
    }

    public static double normalizedMutualInformation(int[] a, int[] b) {
        return normalizedMutualInformation(contingency(a, b));
    }

    /** NMI from a contingency table, as {@link #adjustedRandIndex(long[][])}. */
    public static double normalizedMutualInformation(long[][] t) {
        double n = total(t);
        double[] rows = new double[t.length], cols = new double[t.length == 0 ? 0 : t[0].length];
        for (int i = 0; i < t.length; i++) {
            for (int j = 0; j < t[i].length; j++) {
                rows[i] += t[i][j];
                cols[j] += t[i][j];
            }
        }
        double mi = 0;
        for (int i = 0; i < t.length; i++) {
            for (int j = 0; j < t[i].length; j++) {
                if (t[i][j] > 0) mi += t[i][j] / n * Math.log(n * t[i][j] / (rows[i] * cols[j]));
            }
        }
        double ha = entropy(rows, n), hb = entropy(cols, n);
        if (ha == 0 && hb == 0) return 1.0;
        double mean = (ha + hb) / 2;
        return mean == 0 ? 0 : Math.max(0, mi / mean);
    }

    private static long total(long[][] t) {
        long n = 0;
        for (long[] row : t) for (long c : row) n += c;
        return n;
    }

    private static double entropy(double[] counts, double n) {
        double h = 0;
        for (double c : counts) if (c > 0) h -= c / n * Math.log(c / n);
        return h;
    }

    private static double pairs(long x) {
        return x * (x - 1) / 2.0;
    }

    /** Dense ids 0.. for string labels, in order of first appearance. */
    public static int[] ids(List<String> labels, Map<String, Integer> idOut) {
        Map<String, Integer> ids = idOut == null ? new LinkedHashMap<>() : idOut;
        int[] out = new int[labels.size()];
        for (int i = 0; i < out.length; i++) out[i] = ids.computeIfAbsent(labels.get(i), s -> ids.size());
        return out;
    }
}
