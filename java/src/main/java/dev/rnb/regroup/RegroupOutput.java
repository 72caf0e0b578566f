package dev.rnb.regroup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rnb.data.Npy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RegroupOutput() {}

    public static void write(Path dir, Inputs in, Regroup.Result r) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create output directory " + dir + ": " + e.getMessage(), e);
        }
        KMeans.Result best = r.sweep().best();
        AtomicFiles.write(dir.resolve("train_domains.txt"), ids(r.trainAssignments()));
        AtomicFiles.write(dir.resolve("eval_domains.txt"), ids(r.evalAssignments()));
        AtomicFiles.write(dir.resolve("centroids.npy"), Npy.encode(best.k(), best.d(), best.centroids()));
        AtomicFiles.write(dir.resolve("k_sweep.csv"), sweepCsv(r.sweep().rows()));
        AtomicFiles.write(dir.resolve("k_sweep.png"), SweepPlot.png(r.sweep().rows(), best.k()));
        ObjectNode summary = summary(in, r);
        if (in.trainDomains() != null) {
            Map<String, Integer> names = new LinkedHashMap<>();
            int[] original = ClusterAgreement.ids(in.trainDomains(), names);
            long[][] table = ClusterAgreement.contingency(original, r.trainAssignments());
            AtomicFiles.write(dir.resolve("contingency.csv"), contingencyCsv(names, table, best.k()));
            ObjectNode o = summary.putObject("original_domains");
            o.put("count", names.size());
            o.put("adjusted_rand_index", ClusterAgreement.adjustedRandIndex(original, r.trainAssignments()));
            o.put("normalized_mutual_information", ClusterAgreement.normalizedMutualInformation(original, r.trainAssignments()));
            o.put("contingency_file", "contingency.csv");
        }
        try {
            AtomicFiles.write(dir.resolve("summary.json"), JSON.writeValueAsBytes(summary));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode summary(Inputs in, Regroup.Result r) {
        ObjectNode s = JSON.createObjectNode();
        s.put("backend", in.backend());
        s.put("embedding", in.embeddingSource());
        s.put("dims", in.dims());
        s.put("train_examples", in.trainExamples());
        s.put("eval_examples", in.evalExamples());
        s.put("skipped_bad_lines", in.skippedLines());
        s.put("k", r.k());
        s.put("silhouette", r.sweep().bestSilhouette());
        s.put("inertia", r.sweep().best().inertia());
        s.put("iterations", r.sweep().best().iterations());
        s.put("converged", r.sweep().best().converged());
        putClusters(s, r.trainSizes(), r.evalProportions(), r.sweep().rows());
        return s;
    }

    /** The summary's cluster sizes, evaluation proportions and k sweep (shared with {@link ChunkedRegroup}). */
    static void putClusters(ObjectNode s, long[] trainSizes, double[] evalProportions, List<KSweep.Row> rows) {
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

    private static String ids(int[] a) {
        StringBuilder sb = new StringBuilder(a.length * 3);
        for (int v : a) sb.append(v).append('\n');
        return sb.toString();
    }

    static String sweepCsv(List<KSweep.Row> rows) {
        StringBuilder sb = new StringBuilder("k,silhouette,inertia,iterations,converged\n");
        for (KSweep.Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6g,%d,%b%n", r.k(), r.silhouette(), r.inertia(), r.iterations(), r.converged()));
        }
        return sb.toString();
    }

    private static String contingencyCsv(Map<String, Integer> names, long[][] table, int k) {
        StringBuilder sb = new StringBuilder("original_domain");
        for (int j = 0; j < k; j++) sb.append(",cluster_").append(j);
        sb.append('\n');
        for (Map.Entry<String, Integer> e : names.entrySet()) {
            sb.append(csvField(e.getKey()));
            long[] row = table[e.getValue()];
            for (int j = 0; j < k; j++) sb.append(',').append(j < row.length ? row[j] : 0);
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String csvField(String s) {
        return s.matches("[^,\"\\r\\n]*") ? s : '"' + s.replace("\"", "\"\"") + '"';
    }
}
