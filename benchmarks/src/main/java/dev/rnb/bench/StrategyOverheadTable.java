package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.Tensor;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.SyntheticCorpus;
import dev.rnb.data.TrainingExample;
import dev.rnb.mix.MixOptions;
import dev.rnb.mix.MixingContext;
import dev.rnb.mix.MixingStrategy;
import dev.rnb.mix.Strategies;
import dev.rnb.model.GptConfig;
import dev.rnb.train.TrainOptions;
import dev.rnb.train.Trainer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The "overhead claims" suite's method table (issue #15): the paper's
 * overhead table, measured. For each mixing method, a run of N steps with
 * the method (its own code: {@link Strategies#create}, attached to a
 * {@link Trainer} as {@code rnb experiment}'s runs attach it) interleaved step
 * by step with a plain run of the same model and data (which one goes first
 * alternates; the plain run trains on the method's mixture of each step, so,
 * with the same seed, on the same batches, and from the method run's
 * parameters and moments, copied into it before every pair). A method step is the training step with the method's hooks
 * plus its end of step (where DGA, Aioli, Skill-It and R&amp;B's round ends do
 * their work); the method's one-time work before the first step (Skill-It's
 * nothing, DoReMi's and DoGE's proxy runs) is timed too. Overhead and CI:
 * {@link RunOverhead}. Beside it: the method's own overhead timer (wall
 * clock, device synchronised) over the plain run's wall time, its counted
 * flops over 6 N D_t, and the paper's cost model with this run's T, m, D_e,
 * delta and D_t ({@link MixingStrategy#costModelRatio}).
 *
 * <p>Clock: the calling thread's CPU time (run with OPENBLAS_NUM_THREADS=1
 * OMP_NUM_THREADS=1 so that all of a cpu step's work is on it), as in
 * {@link OverheadClaimsBenchmark}. Models as there (default: GptConfig.small(),
 * batch 16; w384: 6 layers, width 384, batch 8), k domains drawn at random per example from the built-in corpus (4000
 * training, 400 evaluation examples), the methods' default settings
 * ({@link MixOptions#defaults}: K = 20). Five steps of a throwaway trainer
 * come first, so the JVM's warm-up is in no measured run.
 *
 * <p>Arguments: {@code [steps] [k] [model] [methods]} (default 300 8 default
 * stratified,rnb,skill-it,aioli,dga,doremi,doge; stratified does no extra work:
 * the control, whose overhead shows the measurement's own bias); {@code quick} in place of the steps
 * runs 100.
 * Prints one markdown row per method.
 */
public final class StrategyOverheadTable {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int WARM_UP_STEPS = 5;
    private static final String ALL = "stratified,rnb,skill-it,aioli,dga,doremi,doge";

    private StrategyOverheadTable() {}

    public static void main(String[] args) {
        boolean quick = args.length > 0 && args[0].equals("quick");
        int steps = quick ? 100 : args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int k = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        String model = args.length > 2 ? args[2] : "default";
        String methods = args.length > 3 ? args[3] : ALL;
        GptConfig config = OverheadClaimsBenchmark.config(model);
        int batch = OverheadClaimsBenchmark.batch(model);
        try (Backend b = Backends.open("cpu")) {
            SyntheticCorpus.Split split = SyntheticCorpus.generate(3, 4000, 400);
            SplittableRandom random = new SplittableRandom(11);
            List<String> names = new ArrayList<>();
            for (int d = 0; d < k; d++) names.add("d" + d);
            ByteDataset train = domainsAtRandom(split.train(), k, names, random);
            ByteDataset eval = domainsAtRandom(split.eval(), k, names, random);
            warmUp(b, model, batch, train);
            System.out.println("| method | model | k | steps | plain step (ms, mean) | method step (ms, mean) | one-time (s) | overhead measured | 95% CI"
                    + " | own timer (wall) | counted flops | paper cost model |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (String method : methods.split(",")) {
                System.out.println(row(b, model, batch, steps, train, eval, Strategies.canonical(method)));
            }
        }
    }

    /**
     * A few steps of a throwaway trainer before any measured run, so that the
     * JVM's first-use costs (class loading, JIT of the step's Java code) are
     * not charged to the plain run that goes first in the first pair.
     */
    private static void warmUp(Backend b, String model, int batch, ByteDataset train) {
        try (Trainer t = new Trainer(b, OverheadClaimsBenchmark.config(model), TrainOptions.defaults(WARM_UP_STEPS, batch, 2), train)) {
            for (int s = 0; s < WARM_UP_STEPS; s++) t.trainStep();
        }
    }

    static ByteDataset domainsAtRandom(List<SyntheticCorpus.Example> examples, int k, List<String> names, SplittableRandom random) {
        List<TrainingExample> out = new ArrayList<>();
        for (SyntheticCorpus.Example e : examples) {
            out.add(new TrainingExample(e.text().getBytes(StandardCharsets.UTF_8), random.nextInt(k)));
        }
        return new ByteDataset(out, names);
    }

    /** One method's run against a plain run of the same shape, as a markdown row. */
    private static String row(Backend b, String model, int batch, int steps, ByteDataset train, ByteDataset eval, String method) {
        GptConfig config = OverheadClaimsBenchmark.config(model);
        TrainOptions options = TrainOptions.defaults(steps, batch, 1);
        MixingContext ctx = new MixingContext(b, train, eval, config, options, MixOptions.defaults(1));
        try (MixingStrategy strategy = Strategies.create(method, ctx);
             Trainer plain = new Trainer(b, config, options, train);
             Trainer mixed = new Trainer(b, config, options, train);
             Tensor state = b.allocate(mixed.model().parameters().size() + mixed.model().moments().size())) {
            mixed.setProportions(strategy.initialProportions());
            long c0 = THREADS.getCurrentThreadCpuTime();
            strategy.begin(mixed);
            double oneTime = THREADS.getCurrentThreadCpuTime() - c0;
            strategy.attach(mixed);
            double[] plainCpu = new double[steps], mixedCpu = new double[steps];
            long[] plainWall = new long[steps], ownWork = new long[steps];
            for (int i = 0; i < steps; i++) {
                boolean plainFirst = (i & 1) == 0;
                long own = strategy.extraNanos();
                // The plain run trains on the method's mixture of this step, so
                // (same seed) on the same batches: a step's cost depends on its
                // batch (its length), and the method should not be charged or
                // credited for the batches its mixture happens to draw.
                float[] mixture = mixed.sampler().proportions();
                if (!Arrays.equals(mixture, plain.sampler().proportions())) plain.setProportions(mixture);
                // ... and from the method run's state: its parameters and AdamW
                // moments are copied into the plain run before every pair (not
                // timed). Two runs on the same batches still part after a few
                // steps (rounding differences in the gradients, which AdamW
                // amplifies), and a step's time then depends on which weights it
                // runs on: at w384 the diverged runs' steps differed by -9% to
                // +40% in either direction, with or without R&B's work in them
                // (docs/BENCHMARKS.md).
                syncState(mixed, plain, state);
                if (!plainFirst) mixedCpu[i] = mixedStep(strategy, mixed);
                long w0 = System.nanoTime(), t0 = THREADS.getCurrentThreadCpuTime();
                plain.trainStep();
                plainCpu[i] = THREADS.getCurrentThreadCpuTime() - t0;
                plainWall[i] = System.nanoTime() - w0;
                if (plainFirst) mixedCpu[i] = mixedStep(strategy, mixed);
                ownWork[i] = strategy.extraNanos() - own;
            }
            RunOverhead o = new RunOverhead(plainCpu, mixedCpu, strata(ownWork, plainWall), oneTime);
            double[] r = o.ratio();
            double trainingTokens = (double) steps * batch * config.context();
            double trainingFlops = 6 * mixed.model().layout().size() * trainingTokens;
            return String.format(Locale.ROOT, "| %s | %s | %d | %d | %.2f | %.2f | %.2f | %.2f%% | [%.2f%%, %.2f%%] | %.2f%% | %.3g%% | %.3g%% |",
                    Strategies.label(method), model, train.domains(), steps, o.meanPlainStep() / 1e6, o.meanMethodStep() / 1e6, o.oneTime() / 1e9,
                    100 * r[0], 100 * r[1], 100 * r[2], 100.0 * strategy.extraNanos() / Arrays.stream(plainWall).sum(),
                    100 * strategy.extraFlops() / trainingFlops, 100 * strategy.costModelRatio(trainingTokens));
        }
    }

    /**
     * Makes {@code to}'s model state (parameters, AdamW moments) a copy of
     * {@code from}'s, through {@code scratch} (at least parameters + moments
     * floats) and written back into both: each run's state is then freshly
     * written memory, so neither step starts with the other's cache state.
     */
    static void syncState(Trainer from, Trainer to, Tensor scratch) {
        Backend b = from.model().backend();
        long p = from.model().parameters().size(), m = from.model().moments().size();
        b.copy(from.model().parameters(), 0, scratch, 0, p);
        b.copy(from.model().moments(), 0, scratch, p, m);
        for (Trainer t : new Trainer[] {from, to}) {
            b.copy(scratch, 0, t.model().parameters(), 0, p);
            b.copy(scratch, p, t.model().moments(), 0, m);
        }
    }

    /**
     * Steps grouped by the size of the method's work in them, as its own timer
     * saw it, in plain steps (median wall time): stratum floor(log2(1 + ratio)),
     * so ordinary steps (ratio below 1), round ends and a one-off land apart.
     */
    private static int[] strata(long[] ownWork, long[] plainWall) {
        double median = PairedOverhead.median(Arrays.stream(plainWall).asDoubleStream().toArray());
        int[] s = new int[ownWork.length];
        for (int i = 0; i < s.length; i++) s[i] = (int) Math.floor(Math.log(1 + ownWork[i] / median) / Math.log(2));
        return s;
    }

    /** The method's training step and end of step, as {@code MixedRun} runs them; thread CPU nanoseconds. */
    private static double mixedStep(MixingStrategy strategy, Trainer mixed) {
        long t0 = THREADS.getCurrentThreadCpuTime();
        mixed.trainStep();
        DomainProportions next = strategy.endOfStep(mixed.step(), mixed);
        if (next != null) mixed.setProportions(next);
        return THREADS.getCurrentThreadCpuTime() - t0;
    }
}
