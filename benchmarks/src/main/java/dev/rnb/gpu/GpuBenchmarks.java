package dev.rnb.gpu;

import dev.rnb.backend.Tensor;
import dev.rnb.backend.cuda.AttentionPath;
import dev.rnb.backend.cuda.CudaBackend;
import dev.rnb.backend.cuda.DeviceBlas;
import dev.rnb.balance.DomainGradients;
import dev.rnb.balance.RnbBalancer;
import dev.rnb.bench.PairedOverhead;
import dev.rnb.model.Gpt;
import dev.rnb.model.GptConfig;
import dev.rnb.regroup.KMeans;
import dev.rnb.regroup.Points;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The GPU check's kernel benchmarks (docs/GPU.md), each side by side with its
 * baseline in the same process: our Gram kernel vs cuBLAS SSYRK/SGEMM (TF32
 * off and on); G p + the R&amp;B update vs the device-to-device copy of the same
 * gradients (the bandwidth floor); per-domain accumulation (exact, sketched)
 * vs the plain weight-gradient GEMM; k-means at the FAISS benchmark's shape;
 * one training step of the GPT with R&amp;B off and on (the PyTorch side of
 * those two comparisons is benchmarks/python/, run by scripts/gpu-check);
 * where cuDNN loads, attention forward + backward and the training step with
 * our attention kernels vs cuDNN's, and their largest difference.
 * Sizes come from a {@link Scale}; a time
 * budget stops the sequence, and what was skipped is reported.
 */
public final class GpuBenchmarks {

    /** Problem sizes: "full" for an H100/H200-class GPU, "tiny" for the emulated dry run. */
    public record Scale(int[] gramK, int gramD, int[] gpK, int gpD, int rows, int hidden, int vocab, int domains,
                        int sketch, int reps, int kmeansN, int kmeansD, int kmeansK, int kmeansIterations,
                        GptConfig[] models, int modelBatch) {
        public static Scale full() {
            return new Scale(new int[] {1024, 2048, 4096, 8192, 16384}, 4096,
                    new int[] {1_000, 10_000, 100_000, 1_000_000}, 1024, 16384, 768, 256, 64, 1024, 9,
                    1_000_000, 256, 20_000, 25,
                    new GptConfig[] {GptConfig.small(), new GptConfig(1024, 12, 12, 768)}, 8);
        }

        public static Scale tiny() {
            return new Scale(new int[] {40, 64}, 48, new int[] {10, 100}, 64, 192, 24, 16, 4, 64, 3,
                    300, 8, 6, 2, new GptConfig[] {new GptConfig(8, 1, 2, 16)}, 2);
        }
    }

    /** FAISS's published k-means time for N = 1M, d = 256, k = 20,000, 25 iterations on a P100. */
    static final double FAISS_P100_MS = 55_000;

    private final CudaBackend backend;
    private final Scale scale;
    private final long deadlineNanos;
    private final List<Measurement> results = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private final Consumer<Measurement> progress;
    private final SplittableRandom random = new SplittableRandom(1);
    /** Why cuDNN's attention cannot run here, or null when it can (decided once, in runAll). */
    private String noCudnn = "not tried";

    public GpuBenchmarks(CudaBackend backend, Scale scale, double budgetSeconds, Consumer<Measurement> progress) {
        this.backend = backend;
        this.scale = scale;
        this.deadlineNanos = System.nanoTime() + (long) (budgetSeconds * 1e9);
        this.progress = progress;
    }

    public List<Measurement> results() { return results; }

    public List<String> skipped() { return skipped; }

    public void runAll() {
        for (int k : scale.gramK()) {
            guarded("gram k=" + k, () -> gram(k, scale.gramD()));
        }
        for (int k : scale.gpK()) {
            guarded("G p k=" + k, () -> gramTimesP(k, scale.gpD()));
        }
        for (int k : scale.gpK()) {
            guarded("sparse round k=" + k, () -> sparseRound(k));
        }
        guarded("domain accumulation", this::domainAccumulation);
        guarded("k-means", this::kmeans);
        // One try, one line on stderr when cuDNN is unavailable; the baselines below run our kernels.
        noCudnn = backend.useAttention(AttentionPath.CUDNN);
        backend.useAttention(AttentionPath.KERNELS);
        if (noCudnn != null) {
            skipped.add("cuDNN attention comparison (" + noCudnn + ")");
        }
        for (GptConfig model : scale.models()) {
            guarded("train step " + model, () -> trainStep(model));
            if (noCudnn == null) {
                guarded("attention " + model, () -> attentionPaths(model));
            }
        }
    }

    private void guarded(String name, Runnable benchmark) {
        if (System.nanoTime() > deadlineNanos) {
            skipped.add(name + " (time budget spent)");
            return;
        }
        try {
            benchmark.run();
        } catch (RuntimeException | OutOfMemoryError e) {
            skipped.add(name + " (" + e.getMessage() + ")");
        }
    }

    private void record(Measurement m) {
        results.add(m);
        progress.accept(m);
    }

    private double time(Runnable op) {
        return Stopwatch.medianMs(scale.reps(), op, () -> backend.device().synchronize());
    }

    private Tensor random(long n) {
        Tensor t = backend.allocate(n);
        float[] chunk = new float[(int) Math.min(n, 1 << 20)];
        for (long off = 0; off < n; off += chunk.length) {
            int len = (int) Math.min(chunk.length, n - off);
            for (int i = 0; i < len; i++) chunk[i] = (float) random.nextGaussian();
            backend.upload(chunk, 0, t, off, len);
        }
        return t;
    }

    private static String size(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    void gram(int k, int d) {
        DeviceBlas blas = backend.device().blas();
        float[] ones = new float[k];
        java.util.Arrays.fill(ones, 1f);
        try (Tensor x = random((long) k * d); Tensor out = backend.allocate((long) k * k)) {
            double flops = 2.0 * k * k * d;
            String sz = size("k=%d d=%d", k, d);
            double ours = time(() -> backend.gram(x, k, d, ones, out));
            blas.allowTf32(false);
            double syrk = time(() -> backend.blasSyrk(x, k, d, out));
            double gemm = time(() -> backend.gemm(false, true, k, k, d, 1f, x, d, x, d, 0f, out, k));
            blas.allowTf32(true);
            double syrkTf32 = time(() -> backend.blasSyrk(x, k, d, out));
            double gemmTf32 = time(() -> backend.gemm(false, true, k, k, d, 1f, x, d, x, d, 0f, out, k));
            blas.allowTf32(false);
            record(new Measurement("gram", "rnb_gram kernel", sz, ours, flops / ours / 1e9, "TFLOP/s", "cuBLAS SSYRK", ours / syrk));
            record(new Measurement("gram", "cuBLAS SSYRK", sz, syrk, flops / syrk / 1e9, "TFLOP/s", "", 0));
            record(new Measurement("gram", "cuBLAS SGEMM X X^T", sz, gemm, flops / gemm / 1e9, "TFLOP/s", "", 0));
            record(new Measurement("gram", "cuBLAS SSYRK TF32", sz, syrkTf32, flops / syrkTf32 / 1e9, "TFLOP/s", "", 0));
            record(new Measurement("gram", "cuBLAS SGEMM TF32", sz, gemmTf32, flops / gemmTf32 / 1e9, "TFLOP/s", "", 0));
        }
    }

    void gramTimesP(int k, int d) {
        float[] inv = new float[k], p = new float[k], current = new float[k];
        for (int i = 0; i < k; i++) {
            inv[i] = 1f / (1 + random.nextInt(64));
            p[i] = 1f / k;
            current[i] = 1f / k;
        }
        long n = (long) k * d;
        try (Tensor x = random(n); Tensor copy = backend.allocate(n)) {
            String sz = size("k=%d d=%d", k, d);
            double round = time(() -> backend.balanceRound(x, k, d, inv, p, 3f, current));
            double floor = time(() -> backend.copy(x, 0, copy, 0, n));
            double bytes = 2.0 * n * Float.BYTES; // G p reads the gradients twice; the copy reads and writes them once
            record(new Measurement("G p", "G p + update (balanceRound)", sz, round, bytes / round / 1e6, "GB/s",
                    "D2D copy (floor)", round / floor));
            record(new Measurement("G p", "D2D copy of the gradients", sz, floor, bytes / floor / 1e6, "GB/s", "", 0));
        }
    }

    /**
     * A round as training has it at k domains (issue #17, up to 10^6): the rows of a round
     * (R&amp;B's default K B = 320 sequences) in a few hundred domains, sketched into the
     * touched slots, then the end of the round (G p over the touched slots, p' from their
     * logits and one shared logit for the absent domains). Timed: the accumulation alone
     * and accumulation + end of round; the ratio is what the end of the round adds.
     */
    void sparseRound(int k) {
        int rows = scale.rows(), h = scale.hidden(), v = scale.vocab(), touched = Math.min(Math.min(320, k), rows);
        int[] domainOfRow = new int[rows];
        int[] pool = new int[touched];
        for (int i = 0; i < touched; i++) pool[i] = random.nextInt(k);
        for (int r = 0; r < rows; r++) domainOfRow[r] = pool[(int) ((long) r * touched / rows)];
        try (Tensor hs = random((long) rows * h); Tensor es = random((long) rows * v);
             RnbBalancer balancer = RnbBalancer.builder(backend, k, h, v).sketch(scale.sketch()).build()) {
            String sz = size("k=%d touched<=%d rows=%d r=%d", k, touched, rows, scale.sketch());
            double accumulate = time(() -> balancer.accumulate(hs, es, domainOfRow, rows));
            double round = time(() -> {
                balancer.accumulate(hs, es, domainOfRow, rows);
                balancer.endRound();
            });
            record(new Measurement("sparse round", "accumulate + end of round", sz, round, rows / round / 1e3, "Mrows/s",
                    "accumulate alone", round / accumulate));
        }
    }

    /** The FAISS benchmark's shape: Lloyd iterations from the first k points, no early stop. */
    void kmeans() {
        int n = scale.kmeansN(), d = scale.kmeansD(), k = scale.kmeansK(), iterations = scale.kmeansIterations();
        float[] x = new float[Math.multiplyExact(n, d)];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        float[] init = java.util.Arrays.copyOf(x, k * d);
        KMeans.Options options = KMeans.Options.of(k, 1).maxIterations(iterations).tolerance(0).initialCentroids(init);
        try (Points points = new Points(backend, x, n, d, false)) {
            long start = System.nanoTime();
            KMeans.Result result = KMeans.fit(points, options);
            backend.device().synchronize();
            double ms = (System.nanoTime() - start) / 1e6;
            double flops = 2.0 * n * k * d * result.iterations();
            record(new Measurement("k-means", result.iterations() + " Lloyd iterations", size("N=%d d=%d k=%d", n, d, k), ms,
                    flops / ms / 1e9, "TFLOP/s", "FAISS on P100 (55 s)", ms / FAISS_P100_MS));
        }
    }

    /**
     * Tokens/s of one training step (forward, backward, AdamW), without and
     * with R&B's per-domain accumulation as training runs it (the fused split:
     * the head's weight gradient assembled from the per-domain pieces), and
     * R&B's overhead per step with a 95% bootstrap interval
     * ({@link PairedOverhead}): the two steps alternate in pairs (which goes
     * first alternates), R&B's own work in a pair is their difference, and the
     * end of round (G p + update, timed after every pair) is amortised over
     * {@link #STEPS_PER_ROUND} steps.
     */
    void trainStep(GptConfig config) {
        int batch = scale.modelBatch(), t = config.context(), rows = batch * t, domains = 64;
        float[] tokens = new float[rows], targets = new float[rows], weights = new float[rows];
        for (int i = 0; i < rows; i++) {
            tokens[i] = random.nextInt(GptConfig.VOCAB);
            targets[i] = random.nextInt(GptConfig.VOCAB);
            weights[i] = 1f / rows;
        }
        int[] domainOfRow = new int[rows];
        for (int r = 0; r < rows; r++) domainOfRow[r] = (r / t) % domains;
        String sz = size("L=%d C=%d T=%d B=%d", config.layers(), config.channels(), t, batch);
        try (Gpt model = new Gpt(backend, config, batch);
             RnbBalancer balancer = RnbBalancer.builder(backend, domains, config.channels(), GptConfig.VOCAB).build()) {
            model.initialize(1);
            model.setBatch(tokens, targets, weights, t);
            int[] step = {0};
            Runnable plain = () -> {
                model.forward(true);
                model.backward();
                model.adamwStep(1e-4f, 0.9f, 0.95f, 1e-8f, 0.1f, 1f, ++step[0]);
            };
            Runnable withRnb = () -> {
                model.forward(true);
                model.backward((h, e, n, dW) -> balancer.accumulateWithHead(h, e, domainOfRow, n, dW));
                model.adamwStep(1e-4f, 0.9f, 0.95f, 1e-8f, 0.1f, 1f, ++step[0]);
            };
            int reps = scale.reps();
            double[] off = new double[reps], own = new double[reps], ends = new double[reps];
            syncedMs(plain);
            syncedMs(withRnb);
            for (int i = 0; i < reps; i++) {
                double plainMs = (i & 1) == 0 ? syncedMs(plain) : 0, rnbMs = syncedMs(withRnb);
                if ((i & 1) == 1) plainMs = syncedMs(plain);
                off[i] = plainMs;
                own[i] = rnbMs - plainMs;
                ends[i] = syncedMs(balancer::endRound);
            }
            PairedOverhead overhead = new PairedOverhead(off, own, ends, STEPS_PER_ROUND);
            double offMs = overhead.medianPlainStep(), onMs = offMs + overhead.medianOwnWork();
            record(new Measurement("train step", "rnb GPT, R&B off", sz, offMs, rows / offMs * 1e3, "tokens/s", "", 0));
            if (noCudnn == null) {
                backend.useAttention(AttentionPath.CUDNN);
                try {
                    double viaCudnn = time(plain);
                    record(new Measurement("train step", "rnb GPT, R&B off, cuDNN attention", sz, viaCudnn, rows / viaCudnn * 1e3,
                            "tokens/s", "R&B off", viaCudnn / offMs));
                } finally {
                    backend.useAttention(AttentionPath.KERNELS);
                }
            }
            record(new Measurement("train step", "rnb GPT, R&B on (fused split)", sz, onMs, rows / onMs * 1e3, "tokens/s", "R&B off",
                    onMs / offMs));
            record(new Measurement("train step", "R&B end of round (G p + update)", size("k=%d d=%d", domains, config.channels() * GptConfig.VOCAB),
                    overhead.meanEndRound(), 0, "", "one step", overhead.meanEndRound() / offMs));
            double[] r = overhead.ratio();
            record(new Measurement("train step", String.format(Locale.ROOT, "R&B overhead/step, 95%% CI [%.2f%%, %.2f%%]", 100 * r[1], 100 * r[2]),
                    sz + " K=" + STEPS_PER_ROUND, overhead.medianOwnWork() + overhead.meanEndRound() / STEPS_PER_ROUND, 100 * r[0], "%",
                    "", 0));
        }
    }

    /** Steps per R&B round over which the end of round is amortised (the default K). */
    static final int STEPS_PER_ROUND = 20;

    /** Wall time of op, device synchronised, in ms. */
    private double syncedMs(Runnable op) {
        long start = System.nanoTime();
        op.run();
        backend.device().synchronize();
        return (System.nanoTime() - start) / 1e6;
    }

    /**
     * Attention forward + backward of one layer at a model's shape, our kernels
     * and cuDNN's on the same inputs, and their largest difference (of out and
     * dqkv, relative to the largest magnitude of ours).
     */
    void attentionPaths(GptConfig config) {
        int B = scale.modelBatch(), T = config.context(), C = config.channels(), NH = config.heads(), rows = B * T;
        long n = (long) rows * C, att = (long) B * NH * T * T;
        String sz = size("B=%d T=%d C=%d NH=%d", B, T, C, NH);
        try (Tensor qkv = random(3 * n); Tensor dout = random(n); Tensor out = backend.allocate(n);
             Tensor dqkv = backend.allocate(3 * n); Tensor a = backend.allocate(att); Tensor dpreatt = backend.allocate(att)) {
            Runnable step = () -> {
                backend.zero(dqkv);
                backend.attentionForward(out, a, qkv, B, T, C, NH);
                backend.attentionBackward(dqkv, dpreatt, dout, qkv, a, B, T, C, NH);
            };
            double ours = time(step);
            float[][] want = {download(out), download(dqkv)};
            backend.useAttention(AttentionPath.CUDNN);
            double viaCudnn;
            float[][] got;
            try {
                viaCudnn = time(step);
                got = new float[][] {download(out), download(dqkv)};
            } finally {
                backend.useAttention(AttentionPath.KERNELS);
            }
            double difference = Math.max(maxRelativeDifference(got[0], want[0]), maxRelativeDifference(got[1], want[1]));
            record(new Measurement("attention", "our kernels, forward + backward", sz, ours, rows / ours * 1e3, "tokens/s", "", 0));
            record(new Measurement("attention", "cuDNN, forward + backward", sz, viaCudnn, rows / viaCudnn * 1e3, "tokens/s",
                    "our kernels", viaCudnn / ours));
            record(new Measurement("attention", "cuDNN vs ours: max rel. difference", sz, 0, difference, "", "", 0));
        }
    }

    private float[] download(Tensor t) {
        float[] x = new float[Math.toIntExact(t.size())];
        backend.download(t, 0, x, 0, x.length);
        return x;
    }

    /** max |got - want| / max |want|. */
    static double maxRelativeDifference(float[] got, float[] want) {
        double diff = 0, scale = 0;
        for (int i = 0; i < want.length; i++) {
            diff = Math.max(diff, Math.abs((double) got[i] - want[i]));
            scale = Math.max(scale, Math.abs(want[i]));
        }
        return diff / Math.max(scale, 1e-30);
    }

    void domainAccumulation() {
        int rows = scale.rows(), h = scale.hidden(), v = scale.vocab(), k = scale.domains();
        int[] domainOfRow = new int[rows];
        for (int r = 0; r < rows; r++) domainOfRow[r] = random.nextInt(k);
        String sz = size("rows=%d h=%d v=%d k=%d", rows, h, v, k);
        try (Tensor hs = random((long) rows * h); Tensor es = random((long) rows * v);
             Tensor plain = backend.allocate((long) v * h);
             DomainGradients exact = new DomainGradients(backend, k, h, v, 0, 1);
             DomainGradients sketched = new DomainGradients(backend, k, h, v, scale.sketch(), 1)) {
            double gemm = time(() -> backend.gemm(true, false, v, h, rows, 1f, es, v, hs, h, 1f, plain, h));
            double ex = time(() -> exact.accumulate(hs, es, rows, domainOfRow));
            double sk = time(() -> sketched.accumulate(hs, es, rows, domainOfRow));
            record(new Measurement("accumulate", "plain weight-gradient GEMM", sz, gemm, rows / gemm * 1e3, "rows/s", "", 0));
            record(new Measurement("accumulate", "exact per-domain", sz, ex, rows / ex * 1e3, "rows/s", "plain GEMM", ex / gemm));
            record(new Measurement("accumulate", "sketched r=" + scale.sketch(), sz, sk, rows / sk * 1e3, "rows/s", "plain GEMM", sk / gemm));
        }
    }
}
