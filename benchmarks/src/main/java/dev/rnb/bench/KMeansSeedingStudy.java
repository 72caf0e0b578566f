package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.regroup.KMeans;
import dev.rnb.regroup.KMeansPlusPlus;
import dev.rnb.regroup.Points;
import elki.data.NumberVector;
import elki.database.relation.Relation;
import elki.distance.minkowski.SquaredEuclideanDistance;
import elki.utilities.random.RandomFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Which k-means++ seeding (issue #16): rnb's plain k-means++, rnb's greedy
 * k-means++ with the given numbers of trials a centroid (default 1, 2, 3 and
 * scikit-learn's 2 + ln k) and ELKI 0.8.0's k-means++, each
 * followed by the same Lloyd iterations (rnb's, cpu, at most the given
 * number, no tolerance), on {@link KMeansComparison}'s Gaussian blobs. Each
 * round draws its own points (data seed 7 + round) and seed (1000 + round);
 * the comparisons are paired by round. Reported: seeding time, the seeds'
 * own inertia, the final inertia (recomputed in double), and per-round ratios
 * of the final inertia with 95% percentile-bootstrap intervals of their median.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.rnb.bench.KMeansSeedingStudy [N d k iterations rounds trials,trials,...]</pre>
 */
public final class KMeansSeedingStudy {
    private KMeansSeedingStudy() {}

    private record Round(Points points, Relation<NumberVector> relation, long seed) {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 25;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        int[] trials = args.length > 5 ? Arrays.stream(args[5].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 2, 3, KMeansPlusPlus.greedyTrials(k)};
        if (Arrays.stream(trials).noneMatch(t -> t == 1)) throw new IllegalArgumentException("the trials must include 1 (plain k-means++, the baseline)");
        Map<String, Function<Round, float[]>> seedings = new LinkedHashMap<>();
        for (int t : trials) {
            seedings.put(t == 1 ? "rnb plain k-means++" : "rnb greedy k-means++, " + t + " trials", r -> KMeansPlusPlus.seed(r.points(), k, r.seed(), t));
        }
        seedings.put("ELKI 0.8.0 k-means++", r -> KMeansComparison.toFlat(new elki.clustering.kmeans.initialization.KMeansPlusPlus<>(
                new RandomFactory(r.seed())).chooseInitialMeans(r.relation(), k, SquaredEuclideanDistance.STATIC)));

        Map<String, List<Double>> seconds = new LinkedHashMap<>(), lloyd = new LinkedHashMap<>(), seeded = new LinkedHashMap<>(), fitted = new LinkedHashMap<>();
        for (String name : seedings.keySet()) {
            seconds.put(name, new ArrayList<>());
            lloyd.put(name, new ArrayList<>());
            seeded.put(name, new ArrayList<>());
            fitted.put(name, new ArrayList<>());
        }
        try (Backend backend = Backends.open("cpu")) {
            for (int round = 0; round < rounds; round++) {
                float[] x = KMeansComparison.blobs(n, d, k, 7 + round);
                double[][] rows = KMeansComparison.toRows(x, n, d);
                try (Points points = new Points(backend, x, n, d, false)) {
                    Round r = new Round(points, KMeansComparison.elkiRelation(rows), 1000 + round);
                    for (Map.Entry<String, Function<Round, float[]>> e : seedings.entrySet()) {
                        long t0 = System.nanoTime();
                        float[] init = e.getValue().apply(r);
                        double s = (System.nanoTime() - t0) / 1e9;
                        KMeans.Options o = KMeans.Options.of(k, r.seed()).maxIterations(iterations).tolerance(0).initialCentroids(init);
                        long t1 = System.nanoTime();
                        KMeans.Result fit = KMeans.fit(points, o);
                        lloyd.get(e.getKey()).add((System.nanoTime() - t1) / 1e9);
                        seconds.get(e.getKey()).add(s);
                        seeded.get(e.getKey()).add(seedInertia(rows, KMeansComparison.toRows(init, k, d)));
                        fitted.get(e.getKey()).add(KMeansComparison.inertia(rows,
                                new KMeansComparison.Fit(KMeansComparison.toRows(fit.centroids(), k, d), fit.assignments())));
                        System.out.printf(Locale.ROOT, "round %d %-36s seeding %.3f s, Lloyd %.3f s, seeds' inertia %.8g, after Lloyd %.8g%n",
                                round, e.getKey(), s, lloyd.get(e.getKey()).get(round), seeded.get(e.getKey()).get(round), fitted.get(e.getKey()).get(round));
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nN = %d, d = %d, k = %d, then at most %d Lloyd iterations (rnb, cpu), %d rounds (data seeds 7..%d, seeds 1000..%d)%n%n",
                n, d, k, iterations, rounds, 7 + rounds - 1, 1000 + rounds - 1);
        System.out.println("| seeding | seeding time (s, median) | Lloyd time (s, median) | seeds' inertia (median) | final inertia (median) | final inertia / plain's: median [95% CI] | / ELKI's: median [95% CI] | rounds lower than ELKI's |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        String plain = "rnb plain k-means++", elki = "ELKI 0.8.0 k-means++";
        for (String name : seedings.keySet()) {
            List<Double> toPlain = ratios(fitted.get(name), fitted.get(plain)), toElki = ratios(fitted.get(name), fitted.get(elki));
            double[] pCi = KMeansComparison.bootstrapMedianCi(toPlain), eCi = KMeansComparison.bootstrapMedianCi(toElki);
            long lower = toElki.stream().filter(v -> v < 1).count();
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.6g | %.6g | %.5f [%.5f, %.5f] | %.5f [%.5f, %.5f] | %d of %d |%n", name,
                    KMeansComparison.median(seconds.get(name)), KMeansComparison.median(lloyd.get(name)), KMeansComparison.median(seeded.get(name)),
                    KMeansComparison.median(fitted.get(name)), KMeansComparison.median(toPlain), pCi[0], pCi[1],
                    KMeansComparison.median(toElki), eCi[0], eCi[1], lower, rounds);
        }
    }

    private static List<Double> ratios(List<Double> a, List<Double> b) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) out.add(a.get(i) / b.get(i));
        return out;
    }

    /** The seeds' own inertia: every row's squared distance to its nearest seed, in double. */
    private static double seedInertia(double[][] rows, double[][] seeds) {
        return IntStream.range(0, rows.length).parallel().mapToDouble(i -> {
            double best = Double.POSITIVE_INFINITY;
            for (double[] c : seeds) {
                double s = 0;
                for (int t = 0; t < c.length; t++) s += (rows[i][t] - c[t]) * (rows[i][t] - c[t]);
                best = Math.min(best, s);
            }
            return best;
        }).sum();
    }
}
