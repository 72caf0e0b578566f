package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.Tensor;
import dev.rnb.balance.DomainGradients;
import dev.rnb.balance.SketchSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The factored sketch against the plain head GEMM at GPT-2-small's head
 * (issue #15's goal: at most 1.2x the GEMM at rv = rh = 64, v = 50,257,
 * h = 768, k = 64, where exact accumulators would take k v h floats, 9.9 GB).
 * Each JMH call is a pair, in alternating order: the head's weight-gradient
 * GEMM dW += E^T H over the batch's rows, and the factored sketch's
 * accumulation of the same rows (E R_v^T, H R_h^T, the per-domain products;
 * the round's projections are drawn outside the pair, once per round). Both
 * end with a one-float download, so a cuda run's timers include the kernels.
 * At the end of the trial one line starting with FACTORED gives the median
 * times and the ratio sketch / GEMM with its 95% bootstrap interval
 * ({@link PairedOverhead}); the sketch's total beside a trainer's own GEMM
 * is 1 + that ratio. After every pair a round ends (zeroing the sketches and
 * drawing new projections), timed apart: a trainer pays it once per round.
 *
 * <p>Clock: {@code thread} (the calling thread's CPU time; run with
 * OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 so that all the work is on it) or
 * {@code wall}; on cuda use {@code wall}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 4, time = 5)
@Fork(1)
@State(Scope.Benchmark)
public class FactoredSketchBenchmark {
    static final int V = 50257, H = 768, K = 64;

    @Param({"512"})
    public int rows;

    @Param({"64x64"})
    public String sketch;

    @Param({"cpu"})
    public String backend;

    @Param({"thread"})
    public String clock;

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    Backend b;
    Tensor hs, es, headGrad;
    int[] domainOfRow;
    DomainGradients sketched;
    boolean measuring;
    long pairsRun;
    final float[] one = new float[1];
    final List<double[]> pairs = new ArrayList<>();
    final List<Double> draws = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() {
        if (!clock.equals("wall") && !clock.equals("thread")) {
            throw new IllegalArgumentException("clock must be wall or thread, got " + clock);
        }
        b = Backends.open(backend);
        SplittableRandom random = new SplittableRandom(7);
        hs = filled(rows * H, random, 1f);
        es = filled(rows * V, random, 1f / V); // logit gradients: softmax minus one-hot, small entries
        headGrad = b.allocate((long) V * H);
        domainOfRow = new int[rows];
        for (int r = 0; r < rows; r++) domainOfRow[r] = random.nextInt(K);
        sketched = new DomainGradients(b, K, H, V, SketchSpec.parse(sketch), 1);
    }

    private Tensor filled(int n, SplittableRandom random, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = scale * (float) random.nextGaussian();
        Tensor t = b.allocate(n);
        b.upload(x, 0, t, 0, n);
        return t;
    }

    private long now() {
        return clock.equals("wall") ? System.nanoTime() : THREADS.getCurrentThreadCpuTime();
    }

    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    /** The head GEMM and the sketch of the same rows, in alternating order; then a fresh round. */
    @Benchmark
    public float pair() {
        boolean gemmFirst = (pairsRun++ & 1) == 0;
        double gemm = gemmFirst ? headGemm() : 0;
        double sketchTime = sketchOnly();
        if (!gemmFirst) gemm = headGemm();
        if (measuring) pairs.add(new double[] {gemm, sketchTime});
        // A round ends after every pair: the next round's projections, timed apart
        // (a trainer pays them once per round of K steps).
        long t0 = now();
        sketched.reset();
        b.download(sketched.gradients(), 0, one, 0, 1);
        if (measuring) draws.add((double) (now() - t0));
        return one[0];
    }

    private double headGemm() {
        long t0 = now();
        b.gemm(true, false, V, H, rows, 1f, es, V, hs, H, 1f, headGrad, H);
        b.download(headGrad, 0, one, 0, 1);
        return now() - t0;
    }

    private double sketchOnly() {
        long t0 = now();
        sketched.accumulate(hs, es, rows, domainOfRow);
        b.download(sketched.gradients(), 0, one, 0, 1);
        return now() - t0;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (!pairs.isEmpty()) {
            double[] gemm = new double[pairs.size()], sk = new double[pairs.size()];
            for (int i = 0; i < gemm.length; i++) {
                gemm[i] = pairs.get(i)[0];
                sk[i] = pairs.get(i)[1];
            }
            double[] r = new PairedOverhead(gemm, sk, new double[0], 1).ratio();
            System.out.println(String.format(Locale.ROOT,
                    "FACTORED | %s | %s | %d rows | v=%d h=%d k=%d | %d pairs | head GEMM %.1f ms | sketch %.2f ms | "
                            + "sketch/GEMM %.4f [%.4f, %.4f] | (GEMM + sketch)/GEMM %.3f | new round (reset + draw) %.2f ms |",
                    backend, sketch, rows, V, H, K, gemm.length, PairedOverhead.median(gemm) / 1e6,
                    PairedOverhead.median(sk) / 1e6, r[0], r[1], r[2], 1 + r[0],
                    draws.stream().mapToDouble(Double::doubleValue).average().orElse(0) / 1e6));
        }
        sketched.close();
        hs.close();
        es.close();
        headGrad.close();
        b.close();
    }
}
