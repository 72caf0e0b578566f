package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.ClusterOps;
import dev.rnb.backend.Tensor;
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
 * One Lloyd iteration's two passes on the cpu backend (n = 20000 points,
 * d = 256, as the built-in embedder gives): the assignment pass (chunked
 * SGEMM + fused argmin) against the bare SGEMM of the same shape, which is
 * its floor, and the centroid update.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class KMeansBenchmark {
    static final int N = 20000, D = 256;

    @Param({"16", "64", "256"})
    public int k;

    Backend backend;
    Tensor x, norms, centroids, assign, minDist, counts, dots;

    @Setup(Level.Trial)
    public void setUp() {
        backend = Backends.open("cpu");
        SplittableRandom random = new SplittableRandom(42);
        float[] data = new float[N * D];
        for (int i = 0; i < data.length; i++) data[i] = (float) random.nextGaussian();
        x = backend.allocate((long) N * D);
        backend.upload(data, 0, x, 0, data.length);
        norms = backend.allocate(N);
        backend.rowSquaredNorms(x, N, D, norms);
        centroids = backend.allocate((long) k * D);
        backend.copy(x, 0, centroids, 0, (long) k * D);
        assign = backend.allocate(N);
        minDist = backend.allocate(N);
        counts = backend.allocate(k);
        dots = backend.allocate((long) N * k);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[]{x, norms, centroids, assign, minDist, counts, dots}) t.close();
        backend.close();
    }

    @Benchmark
    public ClusterOps.AssignStats assignPass() {
        return backend.assignNearest(x, norms, N, D, centroids, k, assign, minDist);
    }

    /** The floor of the assignment pass: the distance GEMM alone, all rows at once. */
    @Benchmark
    public Tensor distanceGemmOnly() {
        backend.gemm(false, true, N, k, D, -2f, x, D, centroids, D, 0f, dots, k);
        return dots;
    }

    @Benchmark
    public int updatePass() {
        return backend.updateCentroids(x, N, D, assign, k, false, centroids, counts);
    }
}
