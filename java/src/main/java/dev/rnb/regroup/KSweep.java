package dev.rnb.regroup;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Choosing k (the paper's Algorithm 2): fit k-means for every k of a sweep on
 * the same uploaded points, score each fit by its silhouette, keep the argmax
 * (the smaller k on ties). The inertia is reported beside it.
 */
public final class KSweep {
    /** One fit of the sweep. */
    public record Row(int k, double silhouette, double inertia, int iterations, boolean converged) {}

    /** The table, in increasing k, and the best fit. */
    public record Outcome(List<Row> rows, KMeans.Result best, double bestSilhouette) {}

    private KSweep() {}

    /**
     * Parses "4..64" (inclusive range), "4,8,16" (list) or a mix such as
     * "2,4..8"; the result is sorted and free of repeats.
     */
    public static List<Integer> parse(String spec) {
        TreeSet<Integer> ks = new TreeSet<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            try {
                int dots = p.indexOf("..");
                if (dots >= 0) {
                    int lo = Integer.parseInt(p.substring(0, dots).trim()), hi = Integer.parseInt(p.substring(dots + 2).trim());
                    if (lo > hi) throw new IllegalArgumentException("k range " + p + " is empty (" + lo + " > " + hi + ")");
                    for (int k = lo; k <= hi; k++) ks.add(k);
                } else {
                    ks.add(Integer.parseInt(p));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad k list '" + spec + "': use a range like 4..64 or a list like 4,8,16");
            }
        }
        if (ks.isEmpty() || ks.first() < 1) {
            throw new IllegalArgumentException("bad k list '" + spec + "': every k must be >= 1");
        }
        return new ArrayList<>(ks);
    }

    public static Outcome run(Points points, List<Integer> ks, KMeans.Options base, int silhouetteSample) {
        for (int k : ks) {
            if (k > points.n()) {
                throw new IllegalArgumentException("k = " + k + " clusters exceeds the number of training points N = " + points.n());
            }
        }
        List<Row> rows = new ArrayList<>();
        KMeans.Result best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int k : ks) {
            KMeans.Result r = KMeans.fit(points, base.withK(k));
            double s = Silhouette.score(points, r.assignments(), k, silhouetteSample, base.seed());
            rows.add(new Row(k, s, r.inertia(), r.iterations(), r.converged()));
            if (s > bestScore) {
                bestScore = s;
                best = r;
            }
        }
        return new Outcome(rows, best, bestScore);
    }
}
