package dev.rnb.gpu;

import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.Tensor;
import dev.rnb.backend.cuda.CudaBackend;
import dev.rnb.backend.cuda.DeviceBlas;
import dev.rnb.balance.DomainGradients;

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
 * vs the plain weight-gradient GEMM. Sizes come from a {@link Scale}; a time
 * budget stops the sequence, and what was skipped is reported.
 */
public final class GpuBenchmarks {

    /** Problem sizes: "full" for an H100/H200-class GPU, "tiny" for the emulated dry run. */
    public record Scale(int[] gramK, int gramD, int[] gpK, int gpD, int rows, int hidden, int vocab, int domains,
                        int sketch, int reps) {
        public static Scale full() {
            return new Scale(new int[] {1024, 2048, 4096, 8192, 16384}, 4096,
                    new int[] {1_000, 10_000, 100_000, 1_000_000}, 1024, 16384, 768, 256, 64, 1024, 9);
        }

        public static Scale tiny() {
            return new Scale(new int[] {40, 64}, 48, new int[] {10, 100}, 64, 192, 24, 16, 4, 64, 3);
        }
    }

    private final CudaBackend backend;
    private final Scale scale;
    private final long deadlineNanos;
    private final List<Measurement> results = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private final Consumer<Measurement> progress;
    private final SplittableRandom random = new SplittableRandom(1);

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
        guarded("domain accumulation", this::domainAccumulation);
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
        return Stopwatch.medianMs(scale.reps(), op, () -> backend.driver().synchronize());
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
        DeviceBlas blas = backend.driver().blas();
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

    void domainAccumulation() {
        int rows = scale.rows(), h = scale.hidden(), v = scale.vocab(), k = scale.domains();
        int[] domainOfRow = new int[rows];
        for (int r = 0; r < rows; r++) domainOfRow[r] = random.nextInt(k);
        DomainSegments segments = DomainSegments.of(domainOfRow, rows, k);
        String sz = size("rows=%d h=%d v=%d k=%d", rows, h, v, k);
        try (Tensor hs = random((long) rows * h); Tensor es = random((long) rows * v);
             Tensor plain = backend.allocate((long) v * h);
             DomainGradients exact = new DomainGradients(backend, k, h, v, 0, 1);
             DomainGradients sketched = new DomainGradients(backend, k, h, v, scale.sketch(), 1)) {
            double gemm = time(() -> backend.gemm(true, false, v, h, rows, 1f, es, v, hs, h, 1f, plain, h));
            double ex = time(() -> backend.domainGradAccumulate(hs, es, h, v, segments, exact.gradients()));
            double sk = time(() -> sketched.accumulate(hs, es, rows, domainOfRow));
            record(new Measurement("accumulate", "plain weight-gradient GEMM", sz, gemm, rows / gemm * 1e3, "rows/s", "", 0));
            record(new Measurement("accumulate", "exact per-domain", sz, ex, rows / ex * 1e3, "rows/s", "plain GEMM", ex / gemm));
            record(new Measurement("accumulate", "sketched r=" + scale.sketch(), sz, sk, rows / sk * 1e3, "rows/s", "plain GEMM", sk / gemm));
        }
    }
}
