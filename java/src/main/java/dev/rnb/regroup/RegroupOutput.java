package dev.rnb.regroup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rnb.data.Npy;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PrimitiveIterator;

/**
 * The output directory of a Regroup run, every file written atomically:
 * train_domains.txt / eval_domains.txt (one cluster id per example, input
 * order), centroids.npy (k x d float32), k_sweep.csv, k_sweep.png,
 * summary.json, and, when the input names original domains,
 * contingency.csv (original domain x cluster, training examples).
 */
public final class RegroupOutput {
    /** What the run was given, for the summary. */
    public record Inputs(String backend, String embeddingSource, int dims, int trainExamples, int evalExamples,
                         long skippedLines, List<String> trainDomains) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RegroupOutput() {}

    /**
     * What a run found, for the files besides the cluster ids: from
     * {@link Regroup}, or from a run that streams its ids ({@link ChunkedRegroup},
     * the Spark job).
     *
     * @param sweep           the k sweep; the best fit's assignments are not read (the caller writes the ids)
     * @param originalDomains training examples per (original domain, cluster), rows in order of first
     *                        appearance; null when the input names no domains
     */
    public record Run(String backend, String embeddingSource, int dims, long trainExamples, long evalExamples,
                      long skippedLines, KSweep.Outcome sweep, long[] trainSizes, double[] evalProportions,
                      Map<String, long[]> originalDomains) {}

    public static void write(Path dir, Inputs in, Regroup.Result r) {
        createDirectory(dir);
        writeIds(dir.resolve("train_domains.txt"), java.util.Arrays.stream(r.trainAssignments()).iterator());
        writeIds(dir.resolve("eval_domains.txt"), java.util.Arrays.stream(r.evalAssignments()).iterator());
        Map<String, long[]> table = null;
        if (in.trainDomains() != null) {
            Map<String, Integer> names = new LinkedHashMap<>();
            long[][] counts = ClusterAgreement.contingency(ClusterAgreement.ids(in.trainDomains(), names), r.trainAssignments());
            table = new LinkedHashMap<>();
            for (Map.Entry<String, Integer> e : names.entrySet()) {
                table.put(e.getKey(), java.util.Arrays.copyOf(counts[e.getValue()], r.k()));
            }
        }
        writeRun(dir, new Run(in.backend(), in.embeddingSource(), in.dims(), in.trainExamples(), in.evalExamples(),
                in.skippedLines(), r.sweep(), r.trainSizes(), r.evalProportions(), table));
    }

    /** Creates the output directory (and its parents). */
    public static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create output directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** One cluster id per line, streamed to {@code target} atomically (train_domains.txt, eval_domains.txt). */
    public static void writeIds(Path target, PrimitiveIterator.OfInt ids) {
        AtomicFiles.write(target, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            while (ids.hasNext()) {
                w.write(Integer.toString(ids.nextInt()));
                w.write('\n');
            }
            w.flush();
        });
    }

    /** centroids.npy, k_sweep.csv, k_sweep.png, summary.json and, with original domains, contingency.csv. */
    public static void writeRun(Path dir, Run run) {
        KMeans.Result best = run.sweep().best();
        AtomicFiles.write(dir.resolve("centroids.npy"), Npy.encode(best.k(), best.d(), best.centroids()));
        AtomicFiles.write(dir.resolve("k_sweep.csv"), sweepCsv(run.sweep().rows()));
        AtomicFiles.write(dir.resolve("k_sweep.png"), SweepPlot.png(run.sweep().rows(), best.k()));
        ObjectNode summary = summary(run);
        if (run.originalDomains() != null) {
            long[][] table = run.originalDomains().values().toArray(new long[0][]);
            AtomicFiles.write(dir.resolve("contingency.csv"), contingencyCsv(run.originalDomains(), best.k()));
            ObjectNode o = summary.putObject("original_domains");
            o.put("count", table.length);
            o.put("adjusted_rand_index", ClusterAgreement.adjustedRandIndex(table));
            o.put("normalized_mutual_information", ClusterAgreement.normalizedMutualInformation(table));
            o.put("contingency_file", "contingency.csv");
        }
        try {
            AtomicFiles.write(dir.resolve("summary.json"), JSON.writeValueAsBytes(summary));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode summary(Run run) {
        KSweep.Outcome sweep = run.sweep();
        ObjectNode s = JSON.createObjectNode();
        s.put("backend", run.backend());
        s.put("embedding", run.embeddingSource());
        s.put("dims", run.dims());
        s.put("train_examples", run.trainExamples());
        s.put("eval_examples", run.evalExamples());
        s.put("skipped_bad_lines", run.skippedLines());
        s.put("k", sweep.best().k());
        s.put("silhouette", sweep.bestSilhouette());
        s.put("inertia", sweep.best().inertia());
        s.put("iterations", sweep.best().iterations());
        s.put("converged", sweep.best().converged());
        putClusters(s, run.trainSizes(), run.evalProportions(), sweep.rows());
        return s;
    }

    private static void putClusters(ObjectNode s, long[] trainSizes, double[] evalProportions, List<KSweep.Row> rows) {
        ArrayNode sizes = s.putArray("train_cluster_sizes");
        for (long n : trainSizes) sizes.add(n);
        ArrayNode p = s.putArray("eval_proportions");
        for (double v : evalProportions) p.add(v);
        ArrayNode sweep = s.putArray("k_sweep");
        for (KSweep.Row row : rows) {
            sweep.addObject().put("k", row.k()).put("silhouette", row.silhouette()).put("inertia", row.inertia())
                    .put("iterations", row.iterations()).put("converged", row.converged());
        }
    }

    private static String sweepCsv(List<KSweep.Row> rows) {
        StringBuilder sb = new StringBuilder("k,silhouette,inertia,iterations,converged\n");
        for (KSweep.Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6g,%d,%b%n", r.k(), r.silhouette(), r.inertia(), r.iterations(), r.converged()));
        }
        return sb.toString();
    }

    private static String contingencyCsv(Map<String, long[]> table, int k) {
        StringBuilder sb = new StringBuilder("original_domain");
        for (int j = 0; j < k; j++) sb.append(",cluster_").append(j);
        sb.append('\n');
        for (Map.Entry<String, long[]> e : table.entrySet()) {
            sb.append(csvField(e.getKey()));
            long[] row = e.getValue();
            for (int j = 0; j < k; j++) sb.append(',').append(j < row.length ? row[j] : 0);
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String csvField(String s) {
        return s.matches("[^,\"\\r\\n]*") ? s : '"' + s.replace("\"", "\"\"") + '"';
    }
}
