package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.balance.RnbBalancer;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.SyntheticCorpus;
import dev.rnb.data.TrainingExample;
import dev.rnb.model.GptConfig;
import dev.rnb.train.TrainOptions;
import dev.rnb.train.Trainer;
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

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One training step of the default model (GptConfig.small(): 2 layers, width
 * 64, context 64; batch 16) on the built-in corpus split into k domains at
 * random, without R&amp;B ({@code mode = none}) and with R&amp;B's per-domain
 * gradients and its update every {@code stepsPerRound} steps ({@code exact}:
 * the fused split inside backward; {@code sketch} with r = 1024: after
 * backward), at k = 8, 64, 512. The difference between a mode and
 * {@code none} at the same k is R&amp;B's overhead per step, the round's update
 * amortised over its K steps. Backend: {@code -p backend=cpu} (default) or
 * cuda / cuda-emulated.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RnbOverheadBenchmark}
 * (short defaults: 2 warm-up and 3 measured iterations of 1 s, one fork).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RnbOverheadBenchmark {
    @Param({"8", "64", "512"})
    public int k;

    @Param({"none", "exact", "sketch"})
    public String mode;

    @Param({"20"})
    public int stepsPerRound;

    @Param({"cpu"})
    public String backend;

    static final int BATCH = 16, SKETCH = 1024;

    Backend b;
    Trainer trainer;
    RnbBalancer balancer;
    int steps;

    @Setup(Level.Trial)
    public void setUp() {
        if (!List.of("none", "exact", "sketch").contains(mode)) {
            throw new IllegalArgumentException("mode must be none, exact or sketch, got " + mode);
        }
        b = Backends.open(backend);
        SplittableRandom random = new SplittableRandom(11);
        List<TrainingExample> examples = new ArrayList<>();
        for (SyntheticCorpus.Example e : SyntheticCorpus.generate(3, Math.max(4000, 8 * k), 0).train()) {
            examples.add(new TrainingExample(e.text().getBytes(StandardCharsets.UTF_8), random.nextInt(k)));
        }
        List<String> names = new ArrayList<>();
        for (int d = 0; d < k; d++) names.add("d" + d);
        ByteDataset data = new ByteDataset(examples, names);
        GptConfig config = GptConfig.small();
        trainer = new Trainer(b, config, TrainOptions.defaults(1_000_000, BATCH, 1), data);
        if (!mode.equals("none")) {
            float[] evalP = new float[k];
            for (int d = 0; d < k; d++) evalP[d] = 1 + random.nextInt(4);
            balancer = RnbBalancer.builder(b, k, config.channels(), GptConfig.VOCAB)
                    .evalProportions(evalP).sketch(mode.equals("sketch") ? SKETCH : 0).build();
            if (mode.equals("exact")) {
                trainer.setHeadGradientSplit((batch, h, e, rows, dW) -> balancer.accumulateWithHead(h, e, batch.domainOfRow(), rows, dW));
            } else {
                trainer.setAfterBackward((model, batch) -> balancer.accumulate(model.finalLayerInput(), model.logitGradients(),
                        batch.domainOfRow(), model.rows()));
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (balancer != null) balancer.close();
        trainer.close();
        b.close();
    }

    @Benchmark
    public float trainingStep() {
        float loss = trainer.trainStep();
        if (balancer != null && ++steps % stepsPerRound == 0) {
            trainer.setProportions(balancer.endRound().proportions());
        }
        return loss;
    }
}
