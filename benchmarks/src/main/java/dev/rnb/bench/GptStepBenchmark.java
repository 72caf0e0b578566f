package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.model.Gpt;
import dev.rnb.model.GptConfig;
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

import java.util.concurrent.TimeUnit;

/**
 * One training step of the default byte-level GPT (2 layers, width 64,
 * 4 heads, context 64, batch 16) split into its parts: the forward pass
 * alone, forward + backward, and the whole step with AdamW. The R&amp;B hook's
 * overhead is measured against the last by the Balance benchmarks.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class GptStepBenchmark {
    @Param({"cpu"})
    public String backendName;

    private Backend backend;
    private Gpt model;
    private int step;

    @Setup(Level.Trial)
    public void setUp() {
        backend = Backends.open(backendName);
        GptConfig config = GptConfig.small();
        model = new Gpt(backend, config, 16);
        model.initialize(1);
        RandomBatch.set(model, 7);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
        backend.close();
    }

    @Benchmark
    public float forward() {
        model.forward(false);
        return model.loss();
    }

    @Benchmark
    public float forwardBackward() {
        model.forward(true);
        model.backward();
        return model.loss();
    }

    @Benchmark
    public float fullStep() {
        model.forward(true);
        model.backward();
        model.adamwStep(1e-4f, 0.9f, 0.95f, 1e-8f, 0.1f, 1f, ++step);
        return model.loss();
    }
}
