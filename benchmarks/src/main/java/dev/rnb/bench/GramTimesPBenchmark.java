package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.BalanceStep;
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
 * One R&amp;B update on the cpu backend at d = 1024: our O(k d) G p chain
 * (two streaming passes + softmax) against forming G with OpenBLAS SSYRK and
 * multiplying, and against a plain copy of the k x d gradients (the
 * memory-bandwidth floor: G p must read them twice).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GramTimesPBenchmark {

    /** Shared inputs: k domain gradients of d floats, counts, proportions. */
    @State(Scope.Benchmark)
    public abstract static class Inputs {
        static final int D = 1024;
        Backend backend;
        Tensor gradients;
        float[] scale;
        float[] p;
        float[] current;

        abstract int k();

        /** Per-benchmark buffers, allocated after the shared inputs. */
        abstract void allocateOutputs();

        abstract void closeOutputs();

        @Setup(Level.Trial)
        public void setUp() {
            backend = Backends.open("cpu");
            int k = k();
            SplittableRandom random = new SplittableRandom(42);
            gradients = backend.allocate((long) k * D);
            float[] row = new float[D];
            for (int i = 0; i < k; i++) {
                for (int c = 0; c < D; c++) row[c] = (float) random.nextGaussian();
                backend.upload(row, 0, gradients, (long) i * D, D);
            }
            scale = new float[k];
            p = new float[k];
            current = new float[k];
            for (int i = 0; i < k; i++) {
                scale[i] = 1f / (1 + random.nextInt(100));
                p[i] = 1f / k;
                current[i] = 1f / k;
            }
            allocateOutputs();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            closeOutputs();
            gradients.close();
            backend.close();
        }
    }

    public static class AllK extends Inputs {
        @Param({"16", "256", "4096", "65536"})
        public int k;

        int k() { return k; }

        Tensor copy;

        @Override
        void allocateOutputs() {
            copy = backend.allocate((long) k * D);
        }

        @Override
        void closeOutputs() {
            copy.close();
        }
    }

    /** SSYRK forms the k x k Gram matrix: 16 GiB at k = 65536, so it stops at 4096. */
    public static class GramK extends Inputs {
        @Param({"16", "256", "4096"})
        public int k;

        int k() { return k; }

        Tensor gram;

        @Override
        void allocateOutputs() {
            gram = backend.allocate((long) k * k);
        }

        @Override
        void closeOutputs() {
            gram.close();
        }
    }

    @Benchmark
    public BalanceStep gpWithoutForming(AllK s) {
        return s.backend.balanceRound(s.gradients, s.k, Inputs.D, s.scale, s.p, 3f, s.current);
    }

    @Benchmark
    public BalanceStep formGramBySyrkThenMultiply(GramK s) {
        s.backend.gram(s.gradients, s.k, Inputs.D, s.scale, s.gram);
        float[] g = new float[s.k * s.k];
        s.backend.download(s.gram, 0, g, 0, g.length);
        float[] gp = new float[s.k];
        for (int i = 0; i < s.k; i++) {
            double sum = 0;
            for (int j = 0; j < s.k; j++) sum += (double) g[i * s.k + j] * s.p[j];
            gp[i] = (float) sum;
        }
        return s.backend.balanceUpdate(gp, s.scale, s.current, 3f);
    }

    /**
     * The memory-bandwidth floor: a copy reads and writes k*d floats, the same
     * bytes that G p's two read-only passes move, so G p at the floor takes
     * as long as this copy.
     */
    @Benchmark
    public Tensor copyGradients(AllK s) {
        s.backend.copy(s.gradients, 0, s.copy, 0, s.gradients.size());
        return s.copy;
    }
}
