package dev.rnb.regroup;

import dev.rnb.backend.Backend;
import dev.rnb.data.BadInputException;
import dev.rnb.data.CorpusFormatException;
import dev.rnb.data.Npy;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Regroup (stage 1) for embedding files larger than memory: a k sweep of
 * {@link ChunkedKMeans} over a training .npy, k chosen by the silhouette of a
 * uniform sample of rows, then every training row (and, when given, every
 * evaluation row) assigned to its nearest centroid and written out as it
 * streams by. Output files as {@link RegroupOutput} writes them, less what
 * needs a corpus (contingency against original domains); each is written to
 * a temporary file and renamed into place.
 */
public final class ChunkedRegroup {

    public record Outcome(List<KSweep.Row> rows, ChunkedKMeans.Result best, double bestSilhouette, long[] trainSizes,
                          long evalRows, double[] evalProportions) {}

    private ChunkedRegroup() {}

    public static Outcome run(Backend b, Path train, Path eval, List<Integer> ks, ChunkedKMeans.Options base,
                              int silhouetteSample, Path out) throws IOException {
        int d;
        float[] sample;
        try (FileChannel ch = FileChannel.open(train, StandardOpenOption.READ)) {
            Npy.Header h = Npy.header(train, ch);
            d = Math.toIntExact(h.cols());
            sample = ChunkedKMeans.sampleRows(train, ch, h, silhouetteSample, base.seed());
        } catch (IOException e) {
            throw CorpusFormatException.unreadable(train, e);
        }
        if (eval != null) {
            int evalCols = Math.toIntExact(Npy.header(eval).cols());
            if (evalCols != d) {
                throw new BadInputException(eval + ": has " + evalCols + " columns but " + train.getFileName() + " has " + d
                        + " (evaluation embeddings must be the training embeddings' kind)");
            }
            // Read (and so check) every evaluation row now: the first pass over the
            // training rows checks those; after these, no output is written half-way.
            readAll(eval, base.chunkRows());
        }
        List<KSweep.Row> rows = new ArrayList<>();
        ChunkedKMeans.Result best = null;
        double bestSilhouette = Double.NEGATIVE_INFINITY;
        for (int k : ks) {
            ChunkedKMeans.Result r = ChunkedKMeans.fit(b, train, new ChunkedKMeans.Options(k, base.chunkRows(),
                    Math.max(k, base.sampleRows()), base.maxIterations(), base.tolerance(), base.seed()));
            double s = silhouette(b, sample, d, r, silhouetteSample, base.seed());
            rows.add(new KSweep.Row(k, s, r.inertia(), r.passes(), r.passes() < base.maxIterations()));
            if (best == null || s > bestSilhouette) {
                best = r;
                bestSilhouette = s;
            }
        }
        Files.createDirectories(out);
        long[] trainSizes = writeAssignments(b, train, best, base.chunkRows(), out.resolve("train_domains.txt"));
        long[] evalSizes = eval == null ? new long[best.k()] : writeAssignments(b, eval, best, base.chunkRows(), out.resolve("eval_domains.txt"));
        long evalRows = java.util.Arrays.stream(evalSizes).sum();
        double[] p = new double[best.k()];
        for (int j = 0; j < p.length; j++) p[j] = evalRows == 0 ? 0 : (double) evalSizes[j] / evalRows;
        Outcome o = new Outcome(rows, best, bestSilhouette, trainSizes, evalRows, p);
        KMeans.Result fit = new KMeans.Result(best.k(), best.d(), best.centroids(), new int[0], best.inertia(), best.passes(),
                best.passes() < base.maxIterations(), 0);
        RegroupOutput.writeRun(out, new RegroupOutput.Run(b.name(), ".npy " + train.getFileName() + " (read in chunks)", best.d(),
                best.n(), evalRows, 0, new KSweep.Outcome(rows, fit, bestSilhouette), trainSizes, p, null));
        return o;
    }

    /** Streams one cluster id per row into {@code target} (atomically, see {@link AtomicFiles}); returns the cluster sizes. */
    private static long[] writeAssignments(Backend b, Path npy, ChunkedKMeans.Result r, int chunkRows, Path target) {
        long[] sizes = new long[r.k()];
        AtomicFiles.write(target, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            ChunkedKMeans.assign(b, npy, r.centroids(), r.k(), chunkRows, (first, clusters, rows) -> {
                for (int i = 0; i < rows; i++) {
                    int c = (int) clusters[i];
                    sizes[c]++;
                    w.write(Integer.toString(c));
                    w.write('\n');
                }
            });
            w.flush();
        });
        return sizes;
    }

    /** The silhouette of the sampled rows under the nearest-centroid labels of {@code r}. */
    private static double silhouette(Backend b, float[] sample, int d, ChunkedKMeans.Result r, int sampleSize, long seed) {
        int m = sample.length / d;
        int[] labels = new int[m];
        for (int i = 0; i < m; i++) labels[i] = ChunkedKMeans.nearest(sample, i, d, r.centroids(), r.k());
        try (Points p = new Points(b, sample, m, d, false)) {
            return Silhouette.score(p, labels, r.k(), Math.max(2, sampleSize), seed);
        }
    }

    /** Reads every row of {@code npy} in chunks, for {@link Npy#readRows}' checks. */
    private static void readAll(Path npy, int chunkRows) {
        try (FileChannel ch = FileChannel.open(npy, StandardOpenOption.READ)) {
            Npy.Header h = Npy.header(npy, ch);
            float[] chunk = new float[Math.multiplyExact(chunkRows, Math.toIntExact(h.cols()))];
            for (long first = 0; first < h.rows(); first += chunkRows) {
                Npy.readRows(npy, ch, h, first, (int) Math.min(chunkRows, h.rows() - first), chunk);
            }
        } catch (IOException e) {
            throw CorpusFormatException.unreadable(npy, e);
        }
    }
}
