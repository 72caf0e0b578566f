package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.Tensor;
import dev.rnb.balance.RnbBalancer;
import dev.rnb.data.Batch;
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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The "overhead claims" suite (issue #15): R&amp;B's own work inside a
 * training step against the step without R&amp;B, measured interleaved in one
 * process. Two trainers of the same model and data alternate steps (which
 * goes first alternates too, so drift and load hit both alike). The plain
 * trainer's head weight gradient is its usual GEMM, timed; the R&amp;B
 * trainer's is the fused split (exact per-domain gradients, the default),
 * timed; R&amp;B's own work in a pair is the difference, plus the end of
 * round (G p and the update), timed after every pair and amortised over
 * {@code stepsPerRound} steps.
 * A round's end downloads k floats, so it is synchronised on every backend;
 * a head call is followed by a one-float download of the head gradient so
 * that the cuda timers include the kernels.
 *
 * <p>JMH's score is the time of one pair; the overhead, its 95% bootstrap
 * interval and the medians are printed at the end of each trial as a
 * markdown row (docs/BENCHMARKS.md, "Overhead claims"). The same for every
 * mixing method, a whole run against a plain one: {@link StrategyOverheadTable}.
 *
 * <p>Models: {@code default} (GptConfig.small(), batch 16) and {@code w384}
 * (6 layers, width 384, 6 heads, context 64, batch 8).
 *
 * <p>Clock: {@code wall} (System.nanoTime) or {@code thread} (the calling
 * thread's CPU time). Run with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1, all
 * of a cpu step's work is on the calling thread, so {@code thread} time is
 * the work itself, not the time other processes held the cores: what a
 * shared, overloaded machine can still resolve. On cuda use {@code wall}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 5, time = 4)
@Fork(1)
@State(Scope.Benchmark)
public class OverheadClaimsBenchmark {
    @Param({"default", "w384"})
    public String model;

    @Param({"8", "64", "512"})
    public int k;

    @Param({"20"})
    public int stepsPerRound;

    @Param({"cpu"})
    public String backend;

    @Param({"thread"})
    public String clock;

    /**
     * {@code fused}: the head's weight gradient built from the per-domain
     * pieces (the default); {@code unfused}: the model's head GEMM, then the
     * per-domain GEMMs again after backward (before issue #15), timed as the
     * R&amp;B step's head work too.
     */
    @Param({"fused"})
    public String path;

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    Backend b;
    Trainer plain, withRnb;
    RnbBalancer balancer;
    boolean measuring;
    long pairsRun, headNanos;
    final float[] one = new float[1];
    final List<double[]> pairs = new ArrayList<>();
    final List<Double> rounds = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() {
        if (!clock.equals("wall") && !clock.equals("thread")) {
            throw new IllegalArgumentException("clock must be wall or thread, got " + clock);
        }
        b = Backends.open(backend);
        GptConfig config = config(model);
        int batch = batch(model);
        SplittableRandom random = new SplittableRandom(11);
        List<TrainingExample> examples = new ArrayList<>();
        for (SyntheticCorpus.Example e : SyntheticCorpus.generate(3, Math.max(4000, 8 * k), 0).train()) {
            examples.add(new TrainingExample(e.text().getBytes(StandardCharsets.UTF_8), random.nextInt(k)));
        }
        List<String> names = new ArrayList<>();
        for (int d = 0; d < k; d++) names.add("d" + d);
        ByteDataset data = new ByteDataset(examples, names);
        TrainOptions options = TrainOptions.defaults(1_000_000, batch, 1);
        plain = new Trainer(b, config, options, data);
        withRnb = new Trainer(b, config, options, data);
        float[] evalP = new float[k];
        for (int d = 0; d < k; d++) evalP[d] = 1 + random.nextInt(4);
        balancer = RnbBalancer.builder(b, k, config.channels(), GptConfig.VOCAB).evalProportions(evalP).build();
        plain.setHeadGradientSplit((batchRows, h, e, rows, dW) -> timed(dW, () ->
                b.gemm(true, false, GptConfig.VOCAB, config.channels(), rows, 1f, e, GptConfig.VOCAB, h, config.channels(), 1f, dW,
                        config.channels())));
        switch (path) {
            case "fused" -> withRnb.setHeadGradientSplit((batchRows, h, e, rows, dW) -> timed(dW, () ->
                    balancer.accumulateWithHead(h, e, batchRows.domainOfRow(), rows, dW)));
            case "unfused" -> withRnb.setHeadGradientSplit((batchRows, h, e, rows, dW) -> timed(dW, () -> {
                b.gemm(true, false, GptConfig.VOCAB, config.channels(), rows, 1f, e, GptConfig.VOCAB, h, config.channels(), 1f, dW,
                        config.channels());
                balancer.accumulate(h, e, batchRows.domainOfRow(), rows);
            }));
            default -> throw new IllegalArgumentException("path must be fused or unfused, got " + path);
        }
    }

    /** The suite's models: default = GptConfig.small(), w384 = 6 layers, width 384, 6 heads, context 64. */
    static GptConfig config(String model) {
        return switch (model) {
            case "default" -> GptConfig.small();
            case "w384" -> new GptConfig(64, 6, 6, 384);
            default -> throw new IllegalArgumentException("model must be default or w384, got " + model);
        };
    }

    /** The batch of {@link #config}'s model: 16 at default, 8 at w384. */
    static int batch(String model) {
        return model.equals("default") ? 16 : 8;
    }

    private long now() {
        return clock.equals("wall") ? System.nanoTime() : THREADS.getCurrentThreadCpuTime();
    }

    /** Runs the head's work and waits for it (one float of dW comes back); its time goes to headNanos. */
    private void timed(Tensor dW, Runnable work) {
        long t0 = now();
        work.run();
        b.download(dW, 0, one, 0, 1);
        headNanos = now() - t0;
    }

    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        double[] plainStep = new double[pairs.size()], own = new double[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            plainStep[i] = pairs.get(i)[0];
            own[i] = pairs.get(i)[1];
        }
        double[] ends = rounds.stream().mapToDouble(Double::doubleValue).toArray();
        if (!pairs.isEmpty()) {
            System.out.println("OVERHEAD " + new PairedOverhead(plainStep, own, ends, stepsPerRound)
                    .row(model + " | " + backend + " | " + path + " | " + k));
        }
        balancer.close();
        plain.close();
        withRnb.close();
        b.close();
    }

    /** One step of each trainer, in alternating order, then the end of an R&amp;B round. */
    @Benchmark
    public float pairOfSteps() {
        boolean plainFirst = (pairsRun++ & 1) == 0;
        double[] plainTimes = plainFirst ? plainStep() : null;
        double ownHead = rnbStep();
        if (!plainFirst) plainTimes = plainStep();
        if (measuring) pairs.add(new double[] {plainTimes[0], ownHead - plainTimes[1]});
        // A round ends after every pair, so every pair also samples the end of
        // round; its cost (G p over the k accumulators, the update) does not
        // depend on how many steps the round held, and the overhead divides it
        // by stepsPerRound as a trainer with rounds of K steps would pay it.
        long t0 = now();
        withRnb.setProportions(balancer.endRound().proportions());
        if (measuring) rounds.add((double) (now() - t0));
        return one[0];
    }

    /** The plain step's time (loss downloaded, so synchronised) and its head GEMM's. */
    private double[] plainStep() {
        long t0 = now();
        plain.trainStep();
        return new double[] {now() - t0, headNanos};
    }

    private double rnbStep() {
        withRnb.trainStep();
        return headNanos;
    }
}
