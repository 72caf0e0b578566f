package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.Tensor;
import dev.rnb.balance.SketchSpec;
import dev.rnb.data.Batch;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.DomainGroups;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.MixtureSampler;
import dev.rnb.data.StoredProportions;
import dev.rnb.data.TrainingExample;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * R&amp;B's per-round cost at k domains, stage by stage (issue #17; {@code rnb
 * scale}): a round of K steps of B sequences (each sequence one domain, T rows)
 * through {@link RnbStrategy} with exact accumulators of d = v x h floats,
 * the sampler, and what a checkpoint stores that depends on k (the strategy's
 * state and the sampler's p', each in its own form, StoredProportions; the
 * model's parameters and moments do not depend on k). Beside the sparse path it
 * times what dense accumulators would cost (grouping rows over all k domains
 * and zeroing k x d floats per round), G p + the update with every domain
 * present, and a copy of k x d floats, the memory-bandwidth floor those read.
 * Last, a whole round as training runs it with a sketch of r floats per
 * domain (K steps each accumulated and each drawn by the sampler, the end of
 * the round, the sampler's rebuild for p') against a copy of the bytes such a
 * round must move at least ({@link #roundFloorBytes}), and its four parts
 * timed apart inside it (so that where it misses its floor shows), and the
 * same round again with rounds back to back (the interleaved one starts
 * with caches the dense stages emptied). The sampler's rows
 * of T = 1 (a domain, an example, an offset) are drawn from k domains of one
 * example each, every example its own 9-byte array (at 10^6 domains 10^6
 * arrays: the example store is k objects, not one shared array). The whole
 * round's sampler draws its sequences of T rows from a store as a training
 * corpus has it ({@link #documentPerDomain}): every example its own array
 * longer than T + 1 bytes, so that each sequence is a window of one document
 * (the 9-byte store padded every sequence of more than 8 rows).
 * The domain draw rows time the mixture's part of a row alone
 * ({@link MixtureSampler#drawDomains}: domains from p, no example read), with
 * the same two p' as the T = 1 rows, and the round's p' once more grouped
 * ({@link DomainProportions#groupedBy}: every group's value the shared one)
 * as {@code rnb:hier}'s p' is, so that its draw (a group, then a member from
 * the group's member list) is timed at every k.
 * Those two stores grow with k (one document per domain), so their draw rows
 * compare k cached documents at small k with 10^6 in DRAM at 10^6; the
 * corpus rows hold the store fixed instead: one corpus of N documents (each
 * of the two kinds above), built once per run, split into k domains
 * (document i in domain i mod k), as regrouping clusters a fixed corpus into
 * k domains, and drawn with the same p'; and drawn again, after those, with
 * the grouped p' of the domain draw rows, so that {@code rnb:hier}'s whole
 * rows (a domain, an example, an offset: {@link MixtureSampler#next()}) are
 * timed as the ungrouped ones are.
 * The timed calls are interleaved rep by rep so that a loaded machine slows
 * them alike; every figure is a median over the reps.
 */
public final class ScaleRun {
    /** The stages measured, in table order. */
    public enum Stage {
        SAMPLER_REBUILD("sampler rebuild (ms)"),
        SAMPLER_DRAW("sampler draw, one document per domain (the store grows with k), p' with every domain present (ns/row)"),
        SAMPLER_DRAW_ROUND("sampler draw, one document per domain (the store grows with k), the sketched round's p' (ns/row)"),
        DOMAIN_DRAW("sampler domain draw alone (no example), p' with every domain present (the dense alias table) (ns/draw)"),
        DOMAIN_DRAW_ROUND("sampler domain draw alone (no example), the sketched round's p' (ns/draw)"),
        DOMAIN_DRAW_GROUPED("sampler domain draw alone (no example), the sketched round's p' grouped as rnb:hier's, G = ceil(sqrt k) groups, domain d in group d mod G (ns/draw)"),
        CORPUS_DRAW("sampler draw, one corpus of N documents in k domains, the sketched round's p' (ns/row)"),
        CORPUS_ROUND_DRAWS("sampler draw, one corpus of N documents in k domains, the round's K batches, the sketched round's p' (ms)"),
        CORPUS_DRAW_GROUPED("sampler draw, one corpus of N documents in k domains, the sketched round's p' grouped as rnb:hier's (ns/row)"),
        CORPUS_ROUND_DRAWS_GROUPED("sampler draw, one corpus of N documents in k domains, the round's K batches, the sketched round's p' grouped as rnb:hier's (ms)"),
        ACCUMULATE_SPARSE("accumulate, sparse (ms/round)"),
        ACCUMULATE_DENSE("accumulate, dense (ms/round)"),
        END_ROUND("end of round, touched G p + update + reset (ms)"),
        GP_ALL("G p + update, all k present (ms)"),
        COPY_FLOOR("copy of k x d floats (ms)"),
        CHECKPOINT_WRITE("checkpoint state write: R&B's state and the sampler's p' (ms)"),
        CHECKPOINT_READ("checkpoint state read: R&B's state restored, the sampler's p' parsed (ms)"),
        ROUND_SKETCHED("whole round, sketched: K steps accumulated and drawn, end of round, sampler rebuild (ms)"),
        ROUND_ACCUMULATE("whole round's part: its K sketched accumulations (ms)"),
        ROUND_DRAWS("whole round's part: its K batch draws, one document per domain (the store grows with k) (ms)"),
        ROUND_END("whole round's part: its end of round (ms)"),
        ROUND_REBUILD("whole round's part: its sampler rebuild (ms)"),
        ROUND_BACK_TO_BACK("whole round, sketched, rounds back to back (no other stage between them) (ms)"),
        ROUND_FLOOR("copy of the round's minimum bytes (ms)"),
        ROUND_FLOOR_WHOLE_ROWS("copy of the round's minimum bytes counting whole sketch rows, the floor until live lines (ms)");

        public final String label;

        Stage(String label) {
            this.label = label;
        }
    }

    /**
     * @param times          median per stage, indexed by {@link Stage#ordinal()}
     * @param touched        domains the round touched
     * @param sparseBytes    the sparse accumulators' device bytes after the round (slot buffer)
     * @param denseBytes     what dense accumulators would hold: k x d floats
     * @param checkpointBytes the R&amp;B strategy's state and the sampler's p' in a checkpoint at the end of the round's steps
     * @param roundFloorBytes  what the sketched round must read and write at least ({@link ScaleRun#roundFloorBytes})
     * @param wholeRowsFloorBytes the same counting every touched sketch row whole (the floor until live lines)
     */
    public record Point(int k, double[] times, int touched, long sparseBytes, long denseBytes, long checkpointBytes,
                        long roundFloorBytes, long wholeRowsFloorBytes) {
        public double time(Stage s) { return times[s.ordinal()]; }
    }

    private final Backend backend;
    private final int hidden;
    private final int vocab;
    private final int sequences;
    private final int rowsPerSequence;
    private final int stepsPerRound;
    private final int reps;
    private final int warmup;
    private final int sketch;
    /** N: the documents of the one corpus split into k domains (the corpus rows). */
    private final int corpusDocuments;
    /** That corpus as 9-byte examples (T = 1 rows) and as documents longer than T + 1 bytes; built on first use, once a run. */
    private byte[][] corpusShort, corpusLong;

    /**
     * {@code sketch}: r, the floats per domain of the whole round's
     * CountSketch. {@code warmup}: untimed rounds per k before the timed ones. The code a
     * round runs once (the end of the round, the sampler's rebuild) runs only
     * warmup + reps times per k, so with few warm-ups the JVM times part of it
     * interpreted; a training run of hundreds of rounds runs it compiled.
     * {@code corpusDocuments}: N, at least the largest k measured.
     */
    public ScaleRun(Backend backend, int hidden, int vocab, int sequences, int rowsPerSequence, int stepsPerRound, int reps, int sketch,
                    int warmup, int corpusDocuments) {
        if (hidden < 1 || vocab < 1 || sequences < 1 || rowsPerSequence < 1 || stepsPerRound < 1 || reps < 1 || sketch < 1
                || corpusDocuments < 1) {
            throw new IllegalArgumentException("hidden, vocab, sequences, rows per sequence, steps per round, reps, sketch and corpus "
                    + "documents must be >= 1");
        }
        this.corpusDocuments = corpusDocuments;
        if (warmup < 0) {
            throw new IllegalArgumentException("warm-up rounds must be >= 0, got " + warmup);
        }
        this.warmup = warmup;
        this.sketch = sketch;
        this.backend = backend;
        this.hidden = hidden;
        this.vocab = vocab;
        this.sequences = sequences;
        this.rowsPerSequence = rowsPerSequence;
        this.stepsPerRound = stepsPerRound;
        this.reps = reps;
    }

    public long dimension() { return (long) hidden * vocab; }

    /**
     * The fewest bytes a sketched round over k domains reads and writes,
     * whatever the implementation (the floor the whole round is compared with):
     * each step's H and E read once (rows x (h + v) floats), each step's
     * batch written (tokens, targets, mask and the domain of every row: 16
     * bytes a row), {@code sketchFloats} of each touched domain's sketch
     * written once and read once (the lines its coordinates reach:
     * {@code DomainGradients.liveFloats()}; r when counted whole), p' written and read by the sampler and the sampler's
     * table written: under the paper's rule p' is the touched domains' values
     * plus one shared value ({@code DomainProportions}), so 8 bytes (domain,
     * value) written and read and a 16-byte table column per touched domain,
     * and each sequence's T + 1 bytes of its example read by the sampler.
     * Nothing in it is O(k). (Until the sampler drew sparse p' the floor
     * counted k values and a k-column table instead: 24 bytes a domain; until
     * the round drew windows of long examples it did not count their bytes;
     * until the end of the round read only a sketch row's live lines it
     * counted whole rows, r floats, which at d = v x h &lt; r includes lines
     * no implementation need touch.)
     */
    public long roundFloorBytes(int touched, long sketchFloats) {
        long rows = (long) sequences * rowsPerSequence;
        return stepsPerRound * rows * (hidden + vocab) * 4L + 2L * touched * sketchFloats * 4L + stepsPerRound * rows * 16L
                + 2L * 8L * touched + 16L * touched + (long) stepsPerRound * sequences * (rowsPerSequence + 1);
    }

    /** k domains in g groups, domain d in group d mod g (every group's members spread over all k). */
    static DomainGroups roundRobinGroups(int k, int g) {
        int[] groupOf = new int[k];
        for (int d = 0; d < k; d++) groupOf[d] = d % g;
        return new DomainGroups(groupOf, g);
    }

    /** One k: {@code warmup} untimed reps, then {@code reps} timed ones. */
    public Point measure(int k) {
        if (k > corpusDocuments) {
            throw new IllegalArgumentException("k = " + k + " domains of a corpus of " + corpusDocuments + " documents: some would be empty");
        }
        if (corpusShort == null) {
            corpusShort = shortDocuments(corpusDocuments);
            corpusLong = documents(corpusDocuments, rowsPerSequence);
        }
        SplittableRandom random = new SplittableRandom(k);
        int rows = sequences * rowsPerSequence;
        long d = dimension();
        float[] hs = gaussian(rows * hidden, random), es = gaussian(rows * vocab, random); // H and E of every step
        float[] uniform = new float[k];
        Arrays.fill(uniform, 1f / k);
        double[][] t = new double[Stage.values().length][reps];
        int touched = 0;
        long sparseBytes = 0, checkpointBytes = 0;
        DomainProportions inForce = DomainProportions.uniform(k); // the p' a sampler would hold: the last round's
        ByteDataset data = oneExamplePerDomain(k);
        MixtureSampler sampler = new MixtureSampler(data, sequences * 256, 1, 7);
        int[] domainDraws = new int[sequences * 256]; // as many domains as a T = 1 batch has rows
        MixtureSampler groupedSampler = new MixtureSampler(data, sequences * 256, 1, 11);
        DomainGroups hierGroups = roundRobinGroups(k, (int) Math.ceil(Math.sqrt(k)));
        MixtureSampler roundSampler = new MixtureSampler(documentPerDomain(k, rowsPerSequence), sequences, rowsPerSequence, 8);
        Batch roundBatch = null; // drawn into the last batch's arrays, as Trainer.trainStep() does
        ByteDataset corpusShortData = inDomains(corpusShort, k), corpusLongData = inDomains(corpusLong, k);
        MixtureSampler corpusSampler = new MixtureSampler(corpusShortData, sequences * 256, 1, 9);
        MixtureSampler corpusRoundSampler = new MixtureSampler(corpusLongData, sequences, rowsPerSequence, 10);
        Batch corpusBatch = null;
        // The same corpus (the same datasets) drawn with the grouped p', own seeds.
        MixtureSampler groupedCorpusSampler = new MixtureSampler(corpusShortData, sequences * 256, 1, 12);
        MixtureSampler groupedCorpusRoundSampler = new MixtureSampler(corpusLongData, sequences, rowsPerSequence, 13);
        Batch groupedCorpusBatch = null;
        long floorBytes = 0, wholeRowsFloorBytes = 0;
        try (RnbStrategy rnb = new RnbStrategy(backend, k, hidden, vocab, uniform, 1f, SketchSpec.EXACT, stepsPerRound, 1);
             RnbStrategy sketched = new RnbStrategy(backend, k, hidden, vocab, uniform, 1f, SketchSpec.count(sketch), stepsPerRound, 1);
             Tensor dense = backend.allocate(k * d); Tensor copy = backend.allocate(k * d);
             Tensor th = backend.allocate((long) rows * hidden); Tensor te = backend.allocate((long) rows * vocab)) {
            backend.upload(hs, 0, th, 0, hs.length);
            backend.upload(es, 0, te, 0, es.length);
            float[] scale = new float[k];
            for (int i = 0; i < k; i++) scale[i] = 1f / (1 + random.nextInt(100));
            fill(dense, k, d, random);
            for (int r = -warmup; r < reps; r++) {
                int[][] domains = roundDomains(k, rows, random);
                long t0 = System.nanoTime();
                for (int[] dom : domains) rnb.accumulate(th, te, dom, rows);
                long t1 = System.nanoTime();
                int round = rnb.balancerTouched();
                long s0 = System.nanoTime();
                byte[] state = rnb.saveState();
                byte[] samplerP = stored(inForce);
                long s1 = System.nanoTime();
                rnb.restoreState(state);
                if (readStored(samplerP).domains() != k) throw new IllegalStateException("the stored p' is not over " + k + " domains");
                long s2 = System.nanoTime();
                long slotBytes = rnb.accumulatorFloats() * 4;
                DomainProportions p = rnb.endRound();
                inForce = p;
                long t2 = System.nanoTime();
                backend.zero(copy); // the dense accumulators' reset: k x d floats written
                for (int[] dom : domains) {
                    backend.domainGradAccumulate(th, te, hidden, vocab, DomainSegments.of(dom, rows, k), copy);
                }
                long t3 = System.nanoTime();
                BalanceStep all = backend.balanceRound(dense, k, d, scale, uniform, 1f, uniform);
                long t4 = System.nanoTime();
                backend.copy(dense, 0, copy, 0, k * d);
                long t5 = System.nanoTime();
                sampler.setProportions(all.next());
                long t6 = System.nanoTime();
                sampler.next();
                long t7 = System.nanoTime();
                sampler.drawDomains(domainDraws);
                long d7 = System.nanoTime();
                long accumulating = 0, drawing = 0; // the round's parts, read between its calls (two clock reads a call)
                for (int[] dom : domains) {
                    long a0 = System.nanoTime();
                    sketched.accumulate(th, te, dom, rows);
                    long a1 = System.nanoTime();
                    roundBatch = roundSampler.next(roundBatch);
                    drawing += System.nanoTime() - a1;
                    accumulating += a1 - a0;
                }
                int sketchedTouched = sketched.balancerTouched();
                long liveFloats = sketched.balancerLiveFloats(); // of this round's seed: read before its end
                long e0 = System.nanoTime();
                DomainProportions roundP = sketched.endRound();
                long e1 = System.nanoTime();
                roundSampler.setProportions(roundP);
                long t8 = System.nanoTime();
                sampler.setProportions(roundP);
                long t9 = System.nanoTime();
                sampler.next();
                long t10 = System.nanoTime();
                sampler.drawDomains(domainDraws);
                long d10 = System.nanoTime();
                DomainProportions groupedP = roundP.groupedBy(hierGroups);
                groupedSampler.setProportions(groupedP);
                long g0 = System.nanoTime();
                groupedSampler.drawDomains(domainDraws);
                long g1 = System.nanoTime();
                corpusSampler.setProportions(roundP); // the same p' over the fixed corpus
                corpusRoundSampler.setProportions(roundP);
                long f0 = System.nanoTime();
                corpusSampler.next();
                long f1 = System.nanoTime();
                for (int s = 0; s < stepsPerRound; s++) corpusBatch = corpusRoundSampler.next(corpusBatch);
                long f2 = System.nanoTime();
                groupedCorpusSampler.setProportions(groupedP);
                groupedCorpusRoundSampler.setProportions(groupedP);
                long h0 = System.nanoTime();
                groupedCorpusSampler.next();
                long h1 = System.nanoTime();
                for (int s = 0; s < stepsPerRound; s++) groupedCorpusBatch = groupedCorpusRoundSampler.next(groupedCorpusBatch);
                long h2 = System.nanoTime();
                long copyNanos = copyNanos(roundFloorBytes(sketchedTouched, liveFloats));
                long wholeRowsCopyNanos = copyNanos(roundFloorBytes(sketchedTouched, sketch));
                if (r < 0) continue;
                t[Stage.ROUND_FLOOR.ordinal()][r] = copyNanos / 1e6;
                t[Stage.ROUND_FLOOR_WHOLE_ROWS.ordinal()][r] = wholeRowsCopyNanos / 1e6;
                floorBytes = roundFloorBytes(sketchedTouched, liveFloats);
                wholeRowsFloorBytes = roundFloorBytes(sketchedTouched, sketch);
                t[Stage.SAMPLER_DRAW_ROUND.ordinal()][r] = (double) (t10 - t9) / (sequences * 256);
                t[Stage.DOMAIN_DRAW.ordinal()][r] = (double) (d7 - t7) / domainDraws.length;
                t[Stage.DOMAIN_DRAW_ROUND.ordinal()][r] = (double) (d10 - t10) / domainDraws.length;
                t[Stage.DOMAIN_DRAW_GROUPED.ordinal()][r] = (double) (g1 - g0) / domainDraws.length;
                t[Stage.CORPUS_DRAW.ordinal()][r] = (double) (f1 - f0) / (sequences * 256);
                t[Stage.CORPUS_ROUND_DRAWS.ordinal()][r] = (f2 - f1) / 1e6;
                t[Stage.CORPUS_DRAW_GROUPED.ordinal()][r] = (double) (h1 - h0) / (sequences * 256);
                t[Stage.CORPUS_ROUND_DRAWS_GROUPED.ordinal()][r] = (h2 - h1) / 1e6;
                t[Stage.ROUND_SKETCHED.ordinal()][r] = (t8 - d7) / 1e6; // the round starts after the domain draw timed from t7 to d7
                t[Stage.ROUND_ACCUMULATE.ordinal()][r] = accumulating / 1e6;
                t[Stage.ROUND_DRAWS.ordinal()][r] = drawing / 1e6;
                t[Stage.ROUND_END.ordinal()][r] = (e1 - e0) / 1e6;
                t[Stage.ROUND_REBUILD.ordinal()][r] = (t8 - e1) / 1e6;
                touched = round;
                sparseBytes = slotBytes;
                checkpointBytes = state.length + samplerP.length;
                t[Stage.ACCUMULATE_SPARSE.ordinal()][r] = (t1 - t0) / 1e6;
                t[Stage.CHECKPOINT_WRITE.ordinal()][r] = (s1 - s0) / 1e6;
                t[Stage.CHECKPOINT_READ.ordinal()][r] = (s2 - s1) / 1e6;
                t[Stage.END_ROUND.ordinal()][r] = (t2 - s2) / 1e6;
                t[Stage.ACCUMULATE_DENSE.ordinal()][r] = (t3 - t2) / 1e6;
                t[Stage.GP_ALL.ordinal()][r] = (t4 - t3) / 1e6;
                t[Stage.COPY_FLOOR.ordinal()][r] = (t5 - t4) / 1e6;
                t[Stage.SAMPLER_REBUILD.ordinal()][r] = (t6 - t5) / 1e6;
                t[Stage.SAMPLER_DRAW.ordinal()][r] = (double) (t7 - t6) / (sequences * 256);
                if (p == null) throw new IllegalStateException("the round produced no proportions");
            }
            // The same round again, rounds back to back with nothing between them. Above, each
            // round follows the dense stages' passes over k x d floats (256 MiB at 10^6), which
            // evict its sketch rows and the sampler's lines, while its floor is a copy of buffers
            // just zeroed; here the round, like its floor, starts from caches only it has used, as
            // in a training run whose model step leaves them to R&B. Both are reported.
            for (int r = -BACK_TO_BACK_WARMUP; r < reps; r++) {
                int[][] domains = roundDomains(k, rows, random);
                long b0 = System.nanoTime();
                for (int[] dom : domains) {
                    sketched.accumulate(th, te, dom, rows);
                    roundBatch = roundSampler.next(roundBatch);
                }
                roundSampler.setProportions(sketched.endRound());
                long b1 = System.nanoTime();
                if (r >= 0) t[Stage.ROUND_BACK_TO_BACK.ordinal()][r] = (b1 - b0) / 1e6;
            }
        }
        double[] medians = new double[t.length];
        for (int i = 0; i < t.length; i++) medians[i] = median(t[i]);
        return new Point(k, medians, touched, sparseBytes, k * d * 4, checkpointBytes, floorBytes, wholeRowsFloorBytes);
    }

    /** A copy of half these bytes (a copy of n floats reads 4n bytes and writes 4n) between two buffers just zeroed: its nanoseconds. */
    private long copyNanos(long bytes) {
        long floats = bytes / 8;
        try (Tensor from = backend.allocate(floats); Tensor to = backend.allocate(floats)) {
            backend.zero(from); // both touched before the clock starts: no page faults timed
            backend.zero(to);
            long c0 = System.nanoTime();
            backend.copy(from, 0, to, 0, floats);
            return System.nanoTime() - c0;
        }
    }

    /** Untimed back-to-back rounds before the timed ones (the code is compiled by then: these settle the caches). */
    private static final int BACK_TO_BACK_WARMUP = 3;

    /** The domain of every row for one round: each step's B sequences draw a domain uniformly, T rows each. */
    private int[][] roundDomains(int k, int rows, SplittableRandom random) {
        int[][] out = new int[stepsPerRound][rows];
        for (int[] step : out) {
            for (int s = 0; s < sequences; s++) {
                Arrays.fill(step, s * rowsPerSequence, (s + 1) * rowsPerSequence, random.nextInt(k));
            }
        }
        return out;
    }

    private void fill(Tensor x, int k, long d, SplittableRandom random) {
        float[] block = new float[(int) Math.min(k * d, 1 << 20)];
        for (long at = 0; at < k * d; at += block.length) {
            int n = (int) Math.min(block.length, k * d - at);
            for (int i = 0; i < n; i++) block[i] = (float) random.nextGaussian();
            backend.upload(block, 0, x, at, n);
        }
    }

    private static float[] gaussian(int n, SplittableRandom random) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    /**
     * k domains of one 9-byte example each (a row of T = 1 draws a domain, an
     * example and an offset), each example its own array, as a corpus has them.
     */
    static ByteDataset oneExamplePerDomain(int k) { return inDomains(shortDocuments(k), k); }

    /**
     * k domains of one document each, its own array of T + 2 to T + 1 +
     * min(T, 64) bytes ({@link #documents}).
     */
    static ByteDataset documentPerDomain(int k, int T) { return inDomains(documents(k, T), k); }

    /** n arrays of the 9 bytes "abcdefghi" (T = 1 rows). */
    static byte[][] shortDocuments(int n) {
        byte[] bytes = "abcdefghi".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) out[i] = bytes.clone();
        return out;
    }

    /**
     * n documents, each its own array of T + 2 to T + 1 + min(T, 64) bytes
     * (seeded by n): longer than T + 1, so a sequence of T rows is a window at
     * a drawn offset of one document and is never padded, as in a corpus whose
     * documents fill a context; the spread is capped so that the store stays
     * near n x (T + 50) bytes (about 110 MiB at 10^6, T = 64).
     */
    static byte[][] documents(int n, int T) {
        SplittableRandom random = new SplittableRandom(n ^ 0x5eedL);
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            byte[] bytes = new byte[T + 2 + random.nextInt(Math.min(T, 64))];
            for (int j = 0; j < bytes.length; j++) bytes[j] = (byte) ('a' + (i + j) % 26);
            out[i] = bytes;
        }
        return out;
    }

    /**
     * The documents split into k domains (k at most their number): document i
     * in domain i mod k, sharing its array. Round robin rather than a seeded
     * random assignment: every domain gets n / k documents (rounded), none
     * empty, where a random one leaves about 1/e of the domains empty at
     * k = n; and a domain's documents lie across the whole store (i, i + k,
     * ...), so a draw at small k reads a random document of the corpus as one
     * at large k does.
     */
    static ByteDataset inDomains(byte[][] documents, int k) {
        List<TrainingExample> examples = new ArrayList<>(documents.length);
        List<String> names = new ArrayList<>(k);
        for (int i = 0; i < documents.length; i++) examples.add(new TrainingExample(documents[i], i % k));
        for (int d = 0; d < k; d++) names.add(Integer.toString(d));
        return new ByteDataset(examples, names);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Least-squares slope of log10 y against log10 x. */
    public static double logLogSlope(double[] x, double[] y) {
        int n = x.length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += Math.log10(x[i]) / n;
            my += Math.log10(y[i]) / n;
        }
        double sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++) {
            double dx = Math.log10(x[i]) - mx;
            sxy += dx * (Math.log10(y[i]) - my);
            sxx += dx * dx;
        }
        return sxy / sxx;
    }

    /** p' as Trainer.save stores the sampler's ({@link StoredProportions}, the dense form compacted). */
    private static byte[] stored(DomainProportions p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            StoredProportions.of(p.compact()).write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads back what {@link #stored} wrote, as a checkpoint's reader does (without groups: R&amp;B's paper rule). */
    private static DomainProportions readStored(byte[] bytes) {
        try {
            return StoredProportions.read(ByteBuffer.wrap(bytes)).bind(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
