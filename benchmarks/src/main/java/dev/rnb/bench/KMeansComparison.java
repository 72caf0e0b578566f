package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.Tensor;
import dev.rnb.regroup.KMeans;
import dev.rnb.regroup.KMeansPlusPlus;
import dev.rnb.regroup.Points;
import elki.clustering.kmeans.HamerlyKMeans;
import elki.clustering.kmeans.ShallotKMeans;
import elki.clustering.kmeans.initialization.KMeansInitialization;
import elki.clustering.kmeans.initialization.Predefined;
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
import smile.clustering.BBDTree;
import smile.math.MathEx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * k-means side by side with Smile and ELKI (issue #16): the same points, the
 * same cap on Lloyd iterations, no tolerance (a fit stops early only when no
 * point moves), and either each library's own k-means++ seeding from the same
 * seed value ({@code own}: what users get) or every library started from the
 * same centroids, rnb's k-means++ seeds ({@code shared}: ELKI through its
 * {@code Predefined} initialisation; Smile's {@code KMeans.fit} always seeds
 * itself, so there Smile's own filtering iterations, {@code BBDTree.clustering},
 * run from the shared centroids in the loop of its {@code fit}). Each round
 * draws its own points (data seed 7 + round) and seed (1000 + round).
 * Rounds are interleaved (rnb, Smile, ELKI Hamerly, ELKI Shallot, rnb, ...),
 * so load drifts hit every contender alike; the table gives medians of the
 * wall times (with {@code shared}, the seeding is left out of every time),
 * the median of the per-round ratios to rnb's time with a 95%
 * percentile-bootstrap interval over rounds, and the median final inertia
 * (and its per-round ratio to rnb's), each recomputed here in double from the
 * returned centroids and labels so that every library is scored the same way.
 *
 * <p>rnb seeds with greedy k-means++ of {@code trials} trials a centroid
 * (default {@link KMeansPlusPlus#greedyTrials}, what {@link KMeans#fit} uses).
 * rnb's time is split into its k-means++ seeding and its Lloyd
 * iterations (a fit from those centroids), and set against the distance-GEMM
 * floor of the iterations: one N x k x d SGEMM per assignment pass, alone.
 * The points are Gaussian blobs: k centres drawn from N(0, 1)^d, each row a
 * random centre plus N(0, 1)^d noise.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.rnb.bench.KMeansComparison [N d k iterations rounds own|shared [smile|no-smile [trials]]]</pre>
 */
public final class KMeansComparison {
    private KMeansComparison() {}

    /** One contender's fit: its final centroids (k x d) and the label of every row. */
    record Fit(double[][] centroids, int[] labels) {}

    /** One round's points, in each library's form. */
    private record Data(double[][] rows, Points points, Relation<NumberVector> relation) {}

    private interface Contender {
        /** A fit from {@code init} (k x d), or from the library's own seeding from {@code seed} when init is null. */
        Fit run(Data data, long seed, double[][] init);
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 25;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        boolean shared = args.length > 5 && args[5].equals("shared");
        if (args.length > 5 && !shared && !args[5].equals("own")) throw new IllegalArgumentException("start: own or shared, got " + args[5]);
        boolean smile = !(args.length > 6 && args[6].equals("no-smile"));
        int trials = args.length > 7 ? Integer.parseInt(args[7]) : KMeansPlusPlus.greedyTrials(k);

        Map<String, Contender> contenders = new LinkedHashMap<>();
        contenders.put("rnb (cpu)", (data, seed, init) -> {
            KMeans.Options o = options(k, iterations, seed);
            float[] start = init == null ? KMeansPlusPlus.seed(data.points(), k, seed, trials) : toFlat(init);
            KMeans.Result r = KMeans.fit(data.points(), o.initialCentroids(start));
            return new Fit(toRows(r.centroids(), k, d), r.assignments());
        });
        if (smile) contenders.put("Smile 3.1.1 KMeans", (data, seed, init) -> smile(data.rows(), k, iterations, seed, init));
        contenders.put("ELKI 0.8.0 Hamerly", (data, seed, init) -> elki(new HamerlyKMeans<>(SquaredEuclideanDistance.STATIC, k, iterations,
                elkiStart(seed, init), false).run(data.relation()), data.relation()));
        contenders.put("ELKI 0.8.0 Shallot", (data, seed, init) -> elki(new ShallotKMeans<>(SquaredEuclideanDistance.STATIC, k, iterations,
                elkiStart(seed, init), false).run(data.relation()), data.relation()));

        Map<String, List<Double>> seconds = new LinkedHashMap<>(), inertia = new LinkedHashMap<>();
        for (String name : contenders.keySet()) {
            seconds.put(name, new ArrayList<>());
            inertia.put(name, new ArrayList<>());
        }
        List<Double> seeding = new ArrayList<>(), lloyd = new ArrayList<>(), gemm = new ArrayList<>();
        List<Integer> passes = new ArrayList<>();
        try (Backend backend = Backends.open("cpu")) {
            for (int round = 0; round < rounds; round++) {
                long seed = 1000 + round;
                float[] x = blobs(n, d, k, 7 + round);
                double[][] rows = toRows(x, n, d);
                try (Points points = new Points(backend, x, n, d, false)) {
                    Data data = new Data(rows, points, elkiRelation(rows));
                    long t0 = System.nanoTime();
                    float[] init = KMeansPlusPlus.seed(points, k, seed, trials);
                    long t1 = System.nanoTime();
                    double[][] start = shared ? toRows(init, k, d) : null;
                    for (Map.Entry<String, Contender> e : contenders.entrySet()) {
                        long f0 = System.nanoTime();
                        Fit fit = e.getValue().run(data, seed, start);
                        double s = (System.nanoTime() - f0) / 1e9;
                        double in = inertia(rows, fit);
                        seconds.get(e.getKey()).add(s);
                        inertia.get(e.getKey()).add(in);
                        System.out.printf(Locale.ROOT, "round %d %-20s %8.3f s  inertia %.8g%n", round, e.getKey(), s, in);
                    }
                    long t2 = System.nanoTime();
                    KMeans.Result r = KMeans.fit(points, options(k, iterations, seed).initialCentroids(init));
                    long t3 = System.nanoTime();
                    seeding.add((t1 - t0) / 1e9);
                    lloyd.add((t3 - t2) / 1e9);
                    passes.add(r.iterations() + 1);
                    gemm.add(distanceGemms(backend, x, n, d, k, init, r.iterations() + 1));
                    System.out.printf(Locale.ROOT, "round %d rnb seeding %.3f s, Lloyd (%d assignment passes) %.3f s, their GEMMs alone %.3f s%n",
                            round, seeding.get(round), passes.get(round), lloyd.get(round), gemm.get(round));
                }
            }
        }

        String ours = "rnb (cpu)";
        System.out.printf(Locale.ROOT, "%nN = %d, d = %d, k = %d, at most %d iterations, %s, %d interleaved rounds (data seeds 7..%d, seeds 1000..%d), medians%n%n",
                n, d, k, iterations, shared ? "every library from rnb's k-means++ seeds (seeding not timed)" : "each library seeding itself",
                rounds, 7 + rounds - 1, 1000 + rounds - 1);
        System.out.println("| implementation | time (s) | per-round time / rnb's: median [95% CI] (each round) | final inertia | inertia / rnb's: median [95% CI] (each round) |");
        System.out.println("|---|---|---|---|---|");
        for (String name : contenders.keySet()) {
            List<Double> timeRatio = new ArrayList<>(), inertiaRatio = new ArrayList<>();
            StringBuilder eachTime = new StringBuilder(), eachInertia = new StringBuilder();
            for (int r = 0; r < rounds; r++) {
                timeRatio.add(seconds.get(name).get(r) / seconds.get(ours).get(r));
                inertiaRatio.add(inertia.get(name).get(r) / inertia.get(ours).get(r));
                eachTime.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", timeRatio.get(r)));
                eachInertia.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.7f", inertiaRatio.get(r)));
            }
            double[] tCi = bootstrapMedianCi(timeRatio), iCi = bootstrapMedianCi(inertiaRatio);
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.2fx [%.2f, %.2f] (%s) | %.8g | %.7f [%.7f, %.7f] (%s) |%n", name,
                    median(seconds.get(name)), median(timeRatio), tCi[0], tCi[1], eachTime, median(inertia.get(name)),
                    median(inertiaRatio), iCi[0], iCi[1], eachInertia);
        }
        double floor = median(gemm);
        System.out.printf(Locale.ROOT, "%nrnb: k-means++ seeding %.3f s, Lloyd iterations %.3f s (median %d assignment passes), "
                        + "their distance GEMMs alone %.3f s: Lloyd / GEMM floor %.2fx%n",
                median(seeding), median(lloyd), passes.get(passes.size() / 2), floor, median(lloyd) / floor);
    }

    private static KMeans.Options options(int k, int iterations, long seed) {
        return KMeans.Options.of(k, seed).maxIterations(iterations).tolerance(0);
    }

    /** The assignment passes' SGEMMs (D = -2 X C^T, all N rows at once) alone, {@code passes} times. */
    private static double distanceGemms(Backend b, float[] x, int n, int d, int k, float[] centroids, int passes) {
        try (Tensor xs = b.allocate((long) n * d); Tensor c = b.allocate((long) k * d); Tensor dots = b.allocate((long) n * k)) {
            b.upload(x, 0, xs, 0, x.length);
            b.upload(centroids, 0, c, 0, centroids.length);
            long t0 = System.nanoTime();
            for (int p = 0; p < passes; p++) b.gemm(false, true, n, k, d, -2f, xs, d, c, d, 0f, dots, k);
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    static Relation<NumberVector> elkiRelation(double[][] rows) {
        StaticArrayDatabase db = new StaticArrayDatabase(new ArrayAdapterDatabaseConnection(rows));
        db.initialize();
        return db.getRelation(TypeUtil.NUMBER_VECTOR_FIELD);
    }

    private static KMeansInitialization elkiStart(long seed, double[][] init) {
        return init == null ? new elki.clustering.kmeans.initialization.KMeansPlusPlus<>(new RandomFactory(seed)) : new Predefined(copy(init));
    }

    /**
     * Smile's {@code KMeans.fit}: its own k-means++ seeding, or, from
     * {@code init}, the loop of that fit (BBD-tree filtering passes until the
     * distortion stops falling or the cap) over a tree of the same points.
     */
    private static Fit smile(double[][] rows, int k, int iterations, long seed, double[][] init) {
        if (init == null) {
            MathEx.setSeed(seed);
            smile.clustering.KMeans r = smile.clustering.KMeans.fit(rows, k, iterations, 0.0);
            return new Fit(r.centroids, r.y);
        }
        BBDTree tree = new BBDTree(rows);
        double[][] centroids = copy(init), sums = new double[k][rows[0].length];
        int[] size = new int[k], labels = new int[rows.length];
        double distortion = Double.MAX_VALUE, fall = Double.MAX_VALUE;
        for (int iter = 1; iter <= iterations && fall > 0; iter++) {
            double wcss = tree.clustering(centroids, sums, size, labels);
            fall = distortion - wcss;
            distortion = wcss;
        }
        return new Fit(centroids, labels);
    }

    private static Fit elki(Clustering<KMeansModel> clustering, Relation<NumberVector> relation) {
        DBIDRange ids = (DBIDRange) relation.getDBIDs();
        int[] labels = new int[ids.size()];
        List<double[]> means = new ArrayList<>();
        for (Cluster<KMeansModel> cluster : clustering.getAllClusters()) {
            for (DBIDIter it = cluster.getIDs().iter(); it.valid(); it.advance()) labels[ids.getOffset(it)] = means.size();
            means.add(cluster.getModel().getMean());
        }
        return new Fit(means.toArray(new double[0][]), labels);
    }

    /** Sum over rows of the squared distance to the centroid of the row's label, in double. */
    static double inertia(double[][] rows, Fit fit) {
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

    static double[][] copy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) out[i] = a[i].clone();
        return out;
    }

    static float[] toFlat(double[][] rows) {
        int d = rows[0].length;
        float[] out = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) for (int t = 0; t < d; t++) out[i * d + t] = (float) rows[i][t];
        return out;
    }

    static double[][] toRows(float[] flat, int k, int d) {
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
    static double[] bootstrapMedianCi(List<Double> values) {
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

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
