package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.Tensor;
import dev.rnb.regroup.KMeans;
import dev.rnb.regroup.Points;
import elki.clustering.kmeans.HamerlyKMeans;
import elki.clustering.kmeans.ShallotKMeans;
import elki.clustering.kmeans.initialization.KMeansPlusPlus;
import elki.data.Cluster;
import elki.data.Clustering;
import elki.data.NumberVector;
import elki.data.model.KMeansModel;
import elki.data.type.TypeUtil;
import elki.database.StaticArrayDatabase;
import elki.database.ids.DBIDIter;
import elki.database.ids.DBIDRange;
import elki.database.relation.Relation;
import elki.datasource.ArrayAdapterDatabaseConnection;
import elki.distance.minkowski.SquaredEuclideanDistance;
import elki.utilities.random.RandomFactory;
import smile.math.MathEx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * k-means side by side with Smile and ELKI (issue #16): the same points, each
 * library's own k-means++ seeding from the same seed value, the same cap on
 * Lloyd iterations, no tolerance (a fit stops early only when no point moves).
 * Rounds are interleaved (rnb, Smile, ELKI Hamerly, ELKI Shallot, rnb, ...),
 * each round with its own seed, so load drifts hit every contender alike;
 * the table gives medians of the wall times, the median of the per-round
 * ratios to rnb's time with a 95% percentile-bootstrap interval over rounds,
 * and the median final inertia (and its per-round ratio to rnb's), each recomputed here in double from the returned
 * centroids and labels so that every library is scored the same way.
 *
 * <p>rnb's time is split into its k-means++ seeding and its Lloyd
 * iterations (a fit from those centroids), and set against the distance-GEMM
 * floor of the iterations: one N x k x d SGEMM per assignment pass, alone.
 * The points are Gaussian blobs: k centres drawn from N(0, 1)^d, each row a
 * random centre plus N(0, 1)^d noise.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.rnb.bench.KMeansComparison [N d k iterations rounds]</pre>
 */
public final class KMeansComparison {
    private KMeansComparison() {}

    /** One contender's fit: its final centroids (k x d) and the label of every row. */
    private record Fit(double[][] centroids, int[] labels, int iterations) {}

    private interface Contender {
        Fit run(long seed);
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 25;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        float[] x = blobs(n, d, k, 7);
        double[][] rows = new double[n][d];
        for (int i = 0; i < n; i++) for (int c = 0; c < d; c++) rows[i][c] = x[i * d + c];

        try (Backend backend = Backends.open("cpu"); Points points = new Points(backend, x, n, d, false)) {
            Relation<NumberVector> relation = elkiRelation(rows);
            Map<String, Contender> contenders = new LinkedHashMap<>();
            contenders.put("rnb (cpu)", seed -> {
                KMeans.Result r = KMeans.fit(points, options(k, iterations, seed));
                return new Fit(toRows(r.centroids(), k, d), r.assignments(), r.iterations());
            });
            contenders.put("Smile 3.1.1 KMeans", seed -> {
                MathEx.setSeed(seed);
                smile.clustering.KMeans r = smile.clustering.KMeans.fit(rows, k, iterations, 0.0);
                return new Fit(r.centroids, r.y, -1);
            });
            contenders.put("ELKI 0.8.0 Hamerly", seed -> elki(new HamerlyKMeans<>(SquaredEuclideanDistance.STATIC, k, iterations,
                    new KMeansPlusPlus<>(new RandomFactory(seed)), false).run(relation), relation, k));
            contenders.put("ELKI 0.8.0 Shallot", seed -> elki(new ShallotKMeans<>(SquaredEuclideanDistance.STATIC, k, iterations,
                    new KMeansPlusPlus<>(new RandomFactory(seed)), false).run(relation), relation, k));

            Map<String, List<Double>> seconds = new LinkedHashMap<>(), inertia = new LinkedHashMap<>();
            for (String name : contenders.keySet()) {
                seconds.put(name, new ArrayList<>());
                inertia.put(name, new ArrayList<>());
            }
            List<Double> seeding = new ArrayList<>(), lloyd = new ArrayList<>(), gemm = new ArrayList<>();
            List<Integer> passes = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                long seed = 1000 + round;
                for (Map.Entry<String, Contender> e : contenders.entrySet()) {
                    long t0 = System.nanoTime();
                    Fit fit = e.getValue().run(seed);
                    double s = (System.nanoTime() - t0) / 1e9;
                    double in = inertia(rows, fit);
                    seconds.get(e.getKey()).add(s);
                    inertia.get(e.getKey()).add(in);
                    System.out.printf(Locale.ROOT, "round %d %-20s %8.3f s  inertia %.6g%n", round, e.getKey(), s, in);
                }
                long t0 = System.nanoTime();
                float[] init = KMeans.seed(points, k, seed);
                long t1 = System.nanoTime();
                KMeans.Result r = KMeans.fit(points, options(k, iterations, seed).initialCentroids(init));
                long t2 = System.nanoTime();
                seeding.add((t1 - t0) / 1e9);
                lloyd.add((t2 - t1) / 1e9);
                passes.add(r.iterations() + 1);
                gemm.add(distanceGemms(backend, points, x, n, d, k, init, r.iterations() + 1));
                System.out.printf(Locale.ROOT, "round %d rnb seeding %.3f s, Lloyd (%d assignment passes) %.3f s, their GEMMs alone %.3f s%n",
                        round, seeding.get(round), passes.get(round), lloyd.get(round), gemm.get(round));
            }

            String ours = "rnb (cpu)";
            System.out.printf(Locale.ROOT, "%nN = %d, d = %d, k = %d, at most %d iterations, %d interleaved rounds (seeds 1000..%d), medians%n%n",
                    n, d, k, iterations, rounds, 1000 + rounds - 1);
            System.out.println("| implementation | time (s) | per-round time / rnb's: median [95% CI] (each round) | final inertia | inertia / rnb's: median [95% CI] |");
            System.out.println("|---|---|---|---|---|");
            for (String name : contenders.keySet()) {
                List<Double> timeRatio = new ArrayList<>(), inertiaRatio = new ArrayList<>();
                StringBuilder each = new StringBuilder();
                for (int r = 0; r < rounds; r++) {
                    timeRatio.add(seconds.get(name).get(r) / seconds.get(ours).get(r));
                    inertiaRatio.add(inertia.get(name).get(r) / inertia.get(ours).get(r));
                    each.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", timeRatio.get(r)));
                }
                double[] tCi = bootstrapMedianCi(timeRatio), iCi = bootstrapMedianCi(inertiaRatio);
                System.out.printf(Locale.ROOT, "| %s | %.3f | %.2fx [%.2f, %.2f] (%s) | %.6g | %.4f [%.4f, %.4f] |%n", name,
                        median(seconds.get(name)), median(timeRatio), tCi[0], tCi[1], each, median(inertia.get(name)),
                        median(inertiaRatio), iCi[0], iCi[1]);
            }
            double floor = median(gemm);
            System.out.printf(Locale.ROOT, "%nrnb: k-means++ seeding %.3f s, Lloyd iterations %.3f s (median %d assignment passes), "
                            + "their distance GEMMs alone %.3f s: Lloyd / GEMM floor %.2fx%n",
                    median(seeding), median(lloyd), passes.get(passes.size() / 2), floor, median(lloyd) / floor);
        }
    }

    private static KMeans.Options options(int k, int iterations, long seed) {
        return KMeans.Options.of(k, seed).maxIterations(iterations).tolerance(0);
    }

    /** The assignment passes' SGEMMs (D = -2 X C^T, all N rows at once) alone, {@code passes} times. */
    private static double distanceGemms(Backend b, Points points, float[] x, int n, int d, int k, float[] centroids, int passes) {
        try (Tensor xs = b.allocate((long) n * d); Tensor c = b.allocate((long) k * d); Tensor dots = b.allocate((long) n * k)) {
            b.upload(x, 0, xs, 0, x.length);
            b.upload(centroids, 0, c, 0, centroids.length);
            long t0 = System.nanoTime();
            for (int p = 0; p < passes; p++) b.gemm(false, true, n, k, d, -2f, xs, d, c, d, 0f, dots, k);
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private static Relation<NumberVector> elkiRelation(double[][] rows) {
        StaticArrayDatabase db = new StaticArrayDatabase(new ArrayAdapterDatabaseConnection(rows));
        db.initialize();
        return db.getRelation(TypeUtil.NUMBER_VECTOR_FIELD);
    }

    private static Fit elki(Clustering<KMeansModel> clustering, Relation<NumberVector> relation, int k) {
        DBIDRange ids = (DBIDRange) relation.getDBIDs();
        int[] labels = new int[ids.size()];
        List<double[]> means = new ArrayList<>();
        for (Cluster<KMeansModel> cluster : clustering.getAllClusters()) {
            for (DBIDIter it = cluster.getIDs().iter(); it.valid(); it.advance()) labels[ids.getOffset(it)] = means.size();
            means.add(cluster.getModel().getMean());
        }
        return new Fit(means.toArray(new double[0][]), labels, -1);
    }

    /** Sum over rows of the squared distance to the centroid of the row's label, in double. */
    private static double inertia(double[][] rows, Fit fit) {
        double sum = 0;
        for (int i = 0; i < rows.length; i++) {
            double[] c = fit.centroids()[fit.labels()[i]];
            for (int t = 0; t < c.length; t++) {
                double diff = rows[i][t] - c[t];
                sum += diff * diff;
            }
        }
        return sum;
    }

    private static double[][] toRows(float[] flat, int k, int d) {
        double[][] out = new double[k][d];
        for (int j = 0; j < k; j++) for (int t = 0; t < d; t++) out[j][t] = flat[j * d + t];
        return out;
    }

    static float[] blobs(int n, int d, int k, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] centres = new float[k * d];
        for (int i = 0; i < centres.length; i++) centres[i] = (float) random.nextGaussian();
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            int blob = random.nextInt(k);
            for (int t = 0; t < d; t++) x[i * d + t] = centres[blob * d + t] + (float) random.nextGaussian();
        }
        return x;
    }

    /** 95% percentile-bootstrap interval of the median of paired per-round values (2000 resamples, fixed seed). */
    private static double[] bootstrapMedianCi(List<Double> values) {
        SplittableRandom random = new SplittableRandom(42);
        double[] medians = new double[2000];
        List<Double> sample = new ArrayList<>(values);
        for (int b = 0; b < medians.length; b++) {
            for (int i = 0; i < values.size(); i++) sample.set(i, values.get(random.nextInt(values.size())));
            medians[b] = median(sample);
        }
        java.util.Arrays.sort(medians);
        return new double[] {medians[(int) (0.025 * medians.length)], medians[(int) (0.975 * medians.length) - 1]};
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
