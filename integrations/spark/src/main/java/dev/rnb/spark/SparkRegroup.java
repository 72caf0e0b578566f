package dev.rnb.spark;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.data.BadInputException;
import dev.rnb.embed.HashingEmbedder;
import dev.rnb.regroup.KMeans;
import dev.rnb.regroup.KSweep;
import dev.rnb.regroup.Points;
import dev.rnb.regroup.RegroupOutput;
import dev.rnb.regroup.Silhouette;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.clustering.KMeansModel;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;
import scala.Tuple2;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;

/**
 * Regroup (R&amp;B stage 1) as a Spark job: the same steps and output files as
 * {@code rnb regroup}, with the corpus spread over the cluster.
 *
 * <ol>
 *   <li>Read the training (and evaluation) files, one partition per file
 *       ({@link InputFiles}, {@link DocumentReader}); without --eval, a seeded
 *       hash of each record's position holds out --eval-fraction.</li>
 *   <li>Count hashed-feature document frequencies per partition and sum them
 *       on the driver; broadcast, they let every executor build the TF-IDF
 *       embedder {@code rnb regroup} fits, once per JVM.</li>
 *   <li>Embed partition-wise and cache. For each k: rnb's k-means
 *       (k-means++, --restarts) on a driver sample of at most --seed-sample
 *       documents gives the seeds, MLlib's Lloyd iterations run from them over
 *       every document, and rnb's silhouette on the sample (exact up to
 *       --silhouette-sample, as in {@code rnb regroup}) scores the fit.</li>
 *   <li>Assign training and evaluation documents to the chosen fit's nearest
 *       centroid and stream the ids, in input order, into the output
 *       directory on the driver's file system.</li>
 * </ol>
 */
final class SparkRegroup {

    record Options(String train, String eval, double evalFraction, Path out, List<Integer> ks, DocumentReader.Fields fields,
                   int dims, boolean spherical, int maxIterations, double tolerance, int restarts, int seedSample,
                   int silhouetteSample, long seed, String backend) {}

    /** What the run did, with its phase times (seconds) for throughput. */
    record Outcome(int k, long trainDocuments, long evalDocuments, double readSeconds, double embedSeconds,
                   double sweepSeconds, double totalSeconds, List<KSweep.Row> sweep) {}

    private static final int EMBED_BATCH = 512;

    private SparkRegroup() {}

    static Outcome run(SparkSession spark, Options o) {
        long t0 = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration conf = jsc.hadoopConfiguration();
        SerializableConfiguration hadoop = new SerializableConfiguration(conf);
        JavaRDD<Document> all = documents(jsc, InputFiles.list(o.train(), conf), o.fields(), hadoop);
        JavaRDD<Document> train, eval;
        if (o.eval() != null) {
            train = all;
            eval = documents(jsc, InputFiles.list(o.eval(), conf), o.fields(), hadoop);
        } else {
            double fraction = o.evalFraction();
            long seed = o.seed();
            train = all.filter(d -> !heldOut(d.position(), fraction, seed));
            eval = all.filter(d -> heldOut(d.position(), fraction, seed));
        }

        // One pass over every input record before anything is written: a bad record fails here.
        long[] counted = documentFrequencies(train);
        long nTrain = counted[HashingEmbedder.buckets()];
        long nEval = eval.count();
        if (nTrain == 0) throw new BadInputException(o.train() + ": no training documents");
        if (nEval == 0) throw new BadInputException((o.eval() != null ? o.eval() : o.train()) + ": no evaluation documents");
        for (int k : o.ks()) {
            if (k > Math.min(nTrain, o.seedSample())) {
                throw new IllegalArgumentException("k = " + k + " clusters exceeds the " + Math.min(nTrain, o.seedSample())
                        + " training documents seeding it (N = " + nTrain + ", --seed-sample " + o.seedSample() + ")");
            }
        }
        long t1 = System.nanoTime();

        Broadcast<long[]> df = jsc.broadcast(Arrays.copyOf(counted, HashingEmbedder.buckets()));
        EmbedderSpec spec = new HashedEmbedderSpec(df, nTrain, o.dims(), o.seed());
        JavaRDD<Embedded> trainSet = embedded(train, spec).persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<Embedded> evalSet = embedded(eval, spec).persist(StorageLevel.MEMORY_AND_DISK());
        trainSet.count();
        evalSet.count();
        long t2 = System.nanoTime();

        JavaRDD<Vector> vectors = trainSet.map(Embedded::vector);
        float[] sample = driverSample(trainSet, nTrain, o);
        int m = sample.length / o.dims();
        List<KSweep.Row> rows = new ArrayList<>();
        KMeansModel best = null;
        double bestSilhouette = Double.NEGATIVE_INFINITY;
        String driverBackend;
        try (Backend b = Backends.fromOption(o.backend()); Points points = new Points(b, sample, m, o.dims(), o.spherical())) {
            driverBackend = b.name();
            KMeans.Options base = new KMeans.Options(1, o.maxIterations(), o.tolerance(), o.spherical(), o.seed(), o.restarts(), null);
            for (int k : o.ks()) {
                KMeansModel model = fit(vectors, points, base.withK(k), o);
                int[] labels = new int[m];
                for (int i = 0; i < m; i++) labels[i] = model.predict(vector(sample, i, o.dims()));
                double s = Silhouette.score(points, labels, k, o.silhouetteSample(), o.seed());
                rows.add(new KSweep.Row(k, s, model.trainingCost(), model.numIter(), model.numIter() < o.maxIterations()));
                if (best == null || s > bestSilhouette) {
                    best = model;
                    bestSilhouette = s;
                }
            }
        }
        long t3 = System.nanoTime();

        KMeansModel chosen = best;
        int k = chosen.k();
        JavaRDD<Integer> trainIds = chosen.predict(vectors);
        JavaRDD<Integer> evalIds = chosen.predict(evalSet.map(Embedded::vector));
        long[] trainSizes = counts(trainIds, k);
        long[] evalSizes = counts(evalIds, k);
        double[] p = new double[k];
        for (int j = 0; j < k; j++) p[j] = (double) evalSizes[j] / nEval;
        Map<String, long[]> original = originalDomains(trainSet, chosen);
        KMeans.Result fit = new KMeans.Result(k, o.dims(), centroids(chosen), new int[0], chosen.trainingCost(),
                chosen.numIter(), chosen.numIter() < o.maxIterations(), 0);

        RegroupOutput.createDirectory(o.out());
        RegroupOutput.writeIds(o.out().resolve("train_domains.txt"), ids(trainIds));
        RegroupOutput.writeIds(o.out().resolve("eval_domains.txt"), ids(evalIds));
        String backend = "spark " + spark.sparkContext().master() + ": MLlib Lloyd from rnb k-means++ seeds (" + driverBackend + " on the driver)";
        RegroupOutput.writeRun(o.out(), new RegroupOutput.Run(backend, spec.describe(), o.dims(), nTrain, nEval, 0,
                new KSweep.Outcome(rows, fit, bestSilhouette), trainSizes, p, original));
        trainSet.unpersist();
        evalSet.unpersist();
        df.destroy();
        long t4 = System.nanoTime();
        return new Outcome(k, nTrain, nEval, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t0) / 1e9, rows);
    }

    /**
     * One k: rnb's k-means (k-means++ seeding, --restarts fits, lowest inertia
     * kept) on the driver sample, then MLlib's Lloyd iterations over every
     * training document from those centroids. On a corpus within the sample
     * the seeds are rnb regroup's own fit, so both agree; beyond it the sample
     * only seeds, and the full data moves the centroids.
     */
    private static KMeansModel fit(JavaRDD<Vector> vectors, Points sample, KMeans.Options options, Options o) {
        KMeans.Result seeds = KMeans.fit(sample, options);
        Vector[] initial = new Vector[seeds.k()];
        for (int j = 0; j < initial.length; j++) initial[j] = vector(seeds.centroids(), j, seeds.d());
        String measure = o.spherical() ? "cosine" : "euclidean";
        return new org.apache.spark.mllib.clustering.KMeans().setK(seeds.k()).setMaxIterations(o.maxIterations())
                .setEpsilon(o.tolerance()).setDistanceMeasure(measure)
                .setInitialModel(new KMeansModel(initial, measure)).run(vectors.rdd());
    }

    /** One partition per input file (n files, n slices: one each), its records in file order. */
    private static JavaRDD<Document> documents(JavaSparkContext jsc, List<InputFiles.InputFile> files,
                                               DocumentReader.Fields fields, SerializableConfiguration hadoop) {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) indices.add(i);
        return jsc.parallelize(indices, files.size()).mapPartitions(it -> {
            int i = it.next();
            return DocumentReader.open(files.get(i), i, fields, hadoop.value());
        });
    }

    /** df[b] for every hashed bucket b, and the number of documents in the last slot. */
    private static long[] documentFrequencies(JavaRDD<Document> train) {
        int buckets = HashingEmbedder.buckets();
        return train.mapPartitions(it -> {
            long[] df = new long[buckets + 1];
            while (it.hasNext()) {
                for (int b : HashingEmbedder.distinctFeatures(it.next().text())) df[b]++;
                df[buckets]++;
            }
            return List.of(df).iterator();
        }).treeReduce((a, b) -> {
            for (int i = 0; i < a.length; i++) a[i] += b[i];
            return a;
        });
    }

    /** Embeds each partition in batches with the executor's embedder; documents keep their partition and order. */
    private static JavaRDD<Embedded> embedded(JavaRDD<Document> docs, EmbedderSpec spec) {
        int dims = spec.dims();
        return docs.mapPartitions(it -> new EmbeddedRows(it, ExecutorEmbedders.get(spec), dims));
    }

    /** A partition's documents embedded, EMBED_BATCH texts per embedder call, never the whole partition in memory. */
    private static final class EmbeddedRows implements Iterator<Embedded> {
        private final Iterator<Document> docs;
        private final EmbedderSpec.Embedder embedder;
        private final int dims;
        private final List<Document> batch = new ArrayList<>(EMBED_BATCH);
        private float[] vectors;
        private int next;

        EmbeddedRows(Iterator<Document> docs, EmbedderSpec.Embedder embedder, int dims) {
            this.docs = docs;
            this.embedder = embedder;
            this.dims = dims;
        }

        @Override
        public boolean hasNext() {
            if (next < batch.size()) return true;
            batch.clear();
            next = 0;
            while (batch.size() < EMBED_BATCH && docs.hasNext()) batch.add(docs.next());
            if (batch.isEmpty()) return false;
            vectors = embedder.embed(batch.stream().map(Document::text).toList());
            return true;
        }

        @Override
        public Embedded next() {
            if (!hasNext()) throw new NoSuchElementException();
            Document d = batch.get(next);
            return new Embedded(d.position(), d.domain(), vector(vectors, next++, dims));
        }
    }

    private static Vector vector(float[] rows, int i, int d) {
        double[] v = new double[d];
        for (int c = 0; c < d; c++) v[c] = rows[i * d + c];
        return Vectors.dense(v);
    }

    /**
     * The driver's sample for seeding and the silhouette: every training
     * document, in input order, when N fits --seed-sample (then the silhouette
     * samples exactly as rnb regroup's), else a seeded Bernoulli sample of
     * about that size.
     */
    private static float[] driverSample(JavaRDD<Embedded> trainSet, long nTrain, Options o) {
        JavaRDD<Embedded> picked = nTrain <= o.seedSample() ? trainSet
                : trainSet.sample(false, Math.min(1.0, 1.05 * o.seedSample() / nTrain), o.seed());
        List<Vector> rows = picked.map(Embedded::vector).collect();
        int m = Math.min(rows.size(), o.seedSample()), d = o.dims();
        float[] x = new float[m * d];
        for (int i = 0; i < m; i++) {
            double[] v = rows.get(i).toArray();
            for (int c = 0; c < d; c++) x[i * d + c] = (float) v[c];
        }
        return x;
    }

    private static long[] counts(JavaRDD<Integer> ids, int k) {
        long[] counts = new long[k];
        ids.countByValue().forEach((id, n) -> counts[id] = n);
        return counts;
    }

    /**
     * Training documents per (original domain, cluster), domains in order of
     * first appearance; null unless every training document names one (as
     * {@code rnb regroup}).
     */
    private static Map<String, long[]> originalDomains(JavaRDD<Embedded> trainSet, KMeansModel model) {
        if (!trainSet.filter(e -> e.domain() == null).isEmpty()) {
            return null;
        }
        Map<String, Long> first = trainSet.mapToPair(e -> new Tuple2<>(e.domain(), e.position())).reduceByKey(Math::min).collectAsMap();
        List<String> order = new ArrayList<>(first.keySet());
        order.sort(Comparator.comparing(first::get));
        Map<String, long[]> table = new LinkedHashMap<>();
        for (String name : order) table.put(name, new long[model.k()]);
        trainSet.map(e -> new Tuple2<>(e.domain(), model.predict(e.vector()))).countByValue()
                .forEach((cell, n) -> table.get(cell._1())[cell._2()] = n);
        return table;
    }

    private static float[] centroids(KMeansModel model) {
        Vector[] centers = model.clusterCenters();
        int d = centers[0].size();
        float[] c = new float[centers.length * d];
        for (int j = 0; j < centers.length; j++) {
            for (int i = 0; i < d; i++) c[j * d + i] = (float) centers[j].apply(i);
        }
        return c;
    }

    /** The cluster ids in input order, streamed to the driver a partition at a time. */
    private static PrimitiveIterator.OfInt ids(JavaRDD<Integer> ids) {
        Iterator<Integer> it = ids.toLocalIterator();
        return new PrimitiveIterator.OfInt() {
            @Override
            public boolean hasNext() { return it.hasNext(); }

            @Override
            public int nextInt() { return it.next(); }
        };
    }

    /** Whether a record is held out for evaluation (no --eval): a seeded hash of its position against the fraction. */
    static boolean heldOut(long position, double fraction, long seed) {
        return (mix(seed ^ mix(position)) >>> 11) * 0x1.0p-53 < fraction;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
