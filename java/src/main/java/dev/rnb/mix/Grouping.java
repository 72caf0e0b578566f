package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.data.BadInputException;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.Npy;
import dev.rnb.embed.TextEmbedder;
import dev.rnb.regroup.Embedded;
import dev.rnb.regroup.Regroup;
import dev.rnb.data.SyntheticCorpus;
import dev.rnb.data.TrainingExample;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One way of splitting a corpus into domains: a label for reports and the
 * training and evaluation sets with their examples' domain ids; for a grouping
 * the Regroup stage found, its centroids (null otherwise).
 */
public record Grouping(String label, ByteDataset train, ByteDataset eval, DomainCentroids centroids) {

    public Grouping(String label, ByteDataset train, ByteDataset eval) {
        this(label, train, eval, null);
    }

    /** The built-in corpus with its sources as domains (the human-defined domains). */
    public static Grouping builtInOriginal(SyntheticCorpus.Split split) {
        List<String> names = List.of(SyntheticCorpus.SOURCES);
        return new Grouping("original (" + names.size() + " sources)", dataset(split.train(), names, false), dataset(split.eval(), names, false));
    }

    /**
     * The built-in corpus with its latent skill labels as domains: an oracle
     * regrouping (what a perfect Regroup stage would find), labelled as such.
     */
    public static Grouping builtInOracle(SyntheticCorpus.Split split) {
        List<String> names = new ArrayList<>();
        for (String s : SyntheticCorpus.SKILLS) names.add("skill:" + s);
        return new Grouping("regrouped (oracle: latent skill labels, k=" + names.size() + ")",
                dataset(split.train(), names, true), dataset(split.eval(), names, true));
    }

    private static ByteDataset dataset(List<SyntheticCorpus.Example> examples, List<String> names, boolean bySkill) {
        List<TrainingExample> out = new ArrayList<>(examples.size());
        for (SyntheticCorpus.Example e : examples) {
            out.add(new TrainingExample(e.text().getBytes(StandardCharsets.UTF_8), bySkill ? e.skill() : e.source()));
        }
        return new ByteDataset(out, names);
    }

    /** A grouping found by the Regroup stage, with the stage's result (the k sweep, silhouettes, assignments). */
    public record Regrouping(Grouping grouping, Regroup.Result result) {}

    /**
     * R&amp;B's Regroup stage on the texts of {@code train} and {@code eval}:
     * {@code embedder} (hashed: fitted on the training texts), k-means
     * (3 restarts, {@code spherical}: by cosine) for every k of {@code ks}, the k
     * with the best silhouette, evaluation examples assigned to the nearest
     * training centroid.
     */
    public static Regrouping regroup(Backend backend, ByteDataset train, ByteDataset eval, List<Integer> ks, TextEmbedder embedder,
                                     boolean spherical, long seed) {
        Embedded e = embedder.embed(texts(train), texts(eval));
        Regroup.Options o = new Regroup.Options(ks, spherical, seed, 100, 1e-4, 3, 2000);
        Regroup.Result r = Regroup.run(backend, e.train(), train.size(), e.eval(), eval.size(), e.dims(), o);
        String label = String.format(java.util.Locale.ROOT, "regrouped (k-means on %s embeddings, k by silhouette %.3f)",
                embedder.name(), r.sweep().bestSilhouette());
        Grouping g = reassigned(label, train, eval, r.trainAssignments(), r.evalAssignments());
        // Clusters k-means left empty past the last used id are no domains (reassigned counts up to the largest id).
        int d = r.sweep().best().d();
        DomainCentroids centroids = new DomainCentroids(java.util.Arrays.copyOf(r.sweep().best().centroids(), g.domains() * d), d);
        return new Regrouping(new Grouping(g.label(), g.train(), g.eval(), centroids), r);
    }

    private static List<String> texts(ByteDataset data) {
        List<String> out = new ArrayList<>(data.size());
        for (TrainingExample e : data.examples()) out.add(new String(e.bytes(), StandardCharsets.UTF_8));
        return out;
    }

    /** The same texts with new domain ids, named cluster-0 .. cluster-(k-1). */
    public static Grouping reassigned(String label, ByteDataset train, ByteDataset eval, int[] trainIds, int[] evalIds) {
        if (trainIds.length != train.size() || evalIds.length != eval.size()) {
            throw new IllegalArgumentException("need " + train.size() + " training and " + eval.size()
                    + " evaluation cluster ids, got " + trainIds.length + " and " + evalIds.length);
        }
        int k = 0;
        for (int id : trainIds) k = Math.max(k, id + 1);
        for (int id : evalIds) k = Math.max(k, id + 1);
        List<String> names = new ArrayList<>();
        for (int c = 0; c < k; c++) names.add("cluster-" + c);
        String full = label.endsWith(")") ? label.substring(0, label.length() - 1) + ", k=" + k + ")" : label + " (k=" + k + ")";
        return new Grouping(full, relabel(train, trainIds, names), relabel(eval, evalIds, names));
    }

    private static ByteDataset relabel(ByteDataset data, int[] ids, List<String> names) {
        List<TrainingExample> out = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) out.add(new TrainingExample(data.get(i).bytes(), ids[i]));
        return new ByteDataset(out, names);
    }

    /**
     * Reads a domain assignment file: one non-negative integer cluster id per
     * line, first one per training example (in input order), then one per
     * evaluation example; blank lines and lines starting with '#' are skipped.
     */
    public static Grouping fromFile(Path file, ByteDataset train, ByteDataset eval) {
        int[] ids = readIds(file);
        if (ids.length != train.size() + eval.size()) {
            throw new BadInputException(file + ": has " + ids.length + " cluster ids; expected " + train.size()
                    + " (training) + " + eval.size() + " (evaluation) = " + (train.size() + eval.size()));
        }
        return fromAssignment(file, train, eval, java.util.Arrays.copyOfRange(ids, 0, train.size()),
                java.util.Arrays.copyOfRange(ids, train.size(), ids.length));
    }

    /**
     * The regrouped domains read from {@code file}: cluster ids 0..k-1, each
     * with at least one training example (a domain without any could not be
     * sampled, so it is bad input, not an empty domain). When {@code file} is
     * an {@code rnb regroup} output folder, its centroids.npy (if there) comes
     * with them, so {@code rnb:hier} groups the domains by their centroids as
     * after a Regroup inside the experiment.
     */
    public static Grouping fromAssignment(Path file, ByteDataset train, ByteDataset eval, int[] trainIds, int[] evalIds) {
        int k = 0;
        for (int id : trainIds) k = Math.max(k, id + 1);
        for (int id : evalIds) k = Math.max(k, id + 1);
        boolean[] trained = new boolean[k];
        for (int id : trainIds) trained[id] = true;
        for (int c = 0; c < k; c++) {
            if (!trained[c]) {
                throw new BadInputException(file + ": cluster id " + c + " has no training examples (ids must run 0.." + (k - 1)
                        + ", each given to at least one training example)");
            }
        }
        Grouping g = reassigned("regrouped (from " + file.getFileName() + ")", train, eval, trainIds, evalIds);
        Path centroids = file.resolve("centroids.npy");
        if (!Files.isDirectory(file) || !Files.exists(centroids)) return g;
        Npy.Matrix m = Npy.read(centroids);
        if (m.rows() < k) {
            throw new BadInputException(centroids + ": has " + m.rows() + " centroids; the cluster ids need at least " + k);
        }
        return new Grouping(g.label(), g.train(), g.eval(), new DomainCentroids(java.util.Arrays.copyOf(m.data(), k * m.cols()), m.cols()));
    }

    /**
     * The cluster ids of a domain assignment file (see {@link #fromFile}), or
     * of an {@code rnb regroup} output folder: its train_domains.txt, then its
     * eval_domains.txt.
     */
    public static int[] readIds(Path file) {
        if (!Files.isDirectory(file)) return readIdFile(file);
        int[] train = readIdFile(file.resolve("train_domains.txt")), eval = readIdFile(file.resolve("eval_domains.txt"));
        int[] ids = java.util.Arrays.copyOf(train, train.length + eval.length);
        System.arraycopy(eval, 0, ids, train.length, eval.length);
        return ids;
    }

    private static int[] readIdFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new BadInputException(file + ": invalid UTF-8 (expected one cluster id per line)");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot be read (" + e + ")");
        }
        List<Integer> ids = new ArrayList<>();
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) continue;
            try {
                int id = Integer.parseInt(s);
                if (id < 0) throw new NumberFormatException("negative");
                ids.add(id);
            } catch (NumberFormatException e) {
                throw new BadInputException(file + ":" + lineNo + ": expected a cluster id (integer >= 0), got '"
                        + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'");
            }
        }
        if (ids.isEmpty()) {
            throw new BadInputException(file + ": no cluster ids (expected one integer per line)");
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    public int domains() { return train.domains(); }
}
