package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.Tensor;
import dev.rnb.balance.DomainGradients;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Per-domain final-layer gradient accumulation on the cpu backend at
 * h = v = 256, k = 64: exact and sketched (r = 1024) against the plain
 * weight-gradient GEMM E^T H over the same rows, which a trainer pays anyway.
 * Throughput in rows/s = rows / (time per call).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class DomainGradBenchmark {
    static final int H = 256, V = 256, K = 64;

    @Param({"4096", "16384"})
    public int rows;

    Backend backend;
    Tensor hs;
    Tensor es;
    Tensor plainGradient;
    int[] domainOfRow;
    DomainGradients exact;
    DomainGradients sketched;

    @Setup(Level.Trial)
    public void setUp() {
        backend = Backends.open("cpu");
        SplittableRandom random = new SplittableRandom(7);
        hs = filled(rows * H, random);
        es = filled(rows * V, random);
        plainGradient = backend.allocate((long) V * H);
        domainOfRow = new int[rows];
        for (int r = 0; r < rows; r++) domainOfRow[r] = random.nextInt(K);
        exact = new DomainGradients(backend, K, H, V, 0, 1);
        sketched = new DomainGradients(backend, K, H, V, 1024, 1);
    }

    private Tensor filled(int n, SplittableRandom random) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        Tensor t = backend.allocate(n);
        backend.upload(x, 0, t, 0, n);
        return t;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        exact.close();
        sketched.close();
        hs.close();
        es.close();
        plainGradient.close();
        backend.close();
    }

    @Benchmark
    public Tensor plainWeightGradientGemm() {
        backend.gemm(true, false, V, H, rows, 1f, es, V, hs, H, 1f, plainGradient, H);
        return plainGradient;
    }

    @Benchmark
    public Tensor exactPerDomain() {
        exact.accumulate(hs, es, rows, domainOfRow);
        return exact.gradients();
    }

    @Benchmark
    public Tensor sketchedPerDomain() {
        sketched.accumulate(hs, es, rows, domainOfRow);
        return sketched.gradients();
    }
}
