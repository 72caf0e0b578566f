package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.Tensor;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.SyntheticCorpus;
import dev.rnb.mix.MixOptions;
import dev.rnb.mix.MixingContext;
import dev.rnb.mix.MixingStrategy;
import dev.rnb.mix.Strategies;
import dev.rnb.model.GptConfig;
import dev.rnb.train.TrainOptions;
import dev.rnb.train.Trainer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Where R&amp;B's row in {@link StrategyOverheadTable} goes (issue #15): the
 * same pairing (R&amp;B's run from {@code Strategies.create} on a trainer
 * against a plain run on the same batches and state, interleaved, thread CPU
 * time), with each step cut into the head's weight gradient (R&amp;B's split
 * as the strategy calls it, or the plain GEMM), the rest of the training
 * step, and the strategy's end of step (round ends apart). {@code control}
 * runs two plain trainers through the same cuts: the measurement's own bias.
 *
 * <p>Arguments: {@code [steps] [rnb|control] [k]} (default 300 rnb 8); the
 * default model (GptConfig.small(), batch 16). Run with
 * OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1.
 */
public final class StrategyStepProfile {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static long headNanos;

    private StrategyStepProfile() {}

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        boolean control = args.length > 1 && args[1].equals("control");
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        GptConfig config = OverheadClaimsBenchmark.config("default");
        int batch = OverheadClaimsBenchmark.batch("default");
        try (Backend b = Backends.open("cpu")) {
            SyntheticCorpus.Split split = SyntheticCorpus.generate(3, 4000, 400);
            SplittableRandom random = new SplittableRandom(11);
            List<String> names = new ArrayList<>();
            for (int d = 0; d < k; d++) names.add("d" + d);
            ByteDataset train = StrategyOverheadTable.domainsAtRandom(split.train(), k, names, random);
            ByteDataset eval = StrategyOverheadTable.domainsAtRandom(split.eval(), k, names, random);
            TrainOptions options = TrainOptions.defaults(steps, batch, 1);
            MixingContext ctx = new MixingContext(b, train, eval, config, options, MixOptions.defaults(1));
            try (MixingStrategy strategy = Strategies.create("rnb", ctx);
                 Trainer plain = new Trainer(b, config, options, train);
                 Trainer mixed = new Trainer(b, config, options, train);
                 Tensor state = b.allocate(mixed.model().parameters().size() + mixed.model().moments().size())) {
                for (int i = 0; i < 5; i++) plain.trainStep(); // the JVM's warm-up
                mixed.setProportions(strategy.initialProportions());
                strategy.begin(mixed);
                if (!control) strategy.attach(mixed);
                Trainer.HeadGradientSplit gemm = (batchOf, h, e, rows, dW) -> b.gemm(true, false, GptConfig.VOCAB, config.channels(), rows,
                        1f, e, GptConfig.VOCAB, h, config.channels(), 1f, dW, config.channels());
                timeHead(plain, gemm);
                timeHead(mixed, control ? gemm : mixed.headGradientSplit());
                double plainStep = 0, plainHead = 0, mixedStep = 0, mixedHead = 0, roundEnds = 0, otherEnds = 0;
                int rounds = 0;
                for (int i = 0; i < steps; i++) {
                    float[] mixture = mixed.sampler().proportions();
                    if (!Arrays.equals(mixture, plain.sampler().proportions())) plain.setProportions(mixture);
                    StrategyOverheadTable.syncState(mixed, plain, state);
                    for (int turn = 0; turn < 2; turn++) {
                        if ((turn == 0) == ((i & 1) == 0)) {
                            headNanos = 0;
                            long t0 = THREADS.getCurrentThreadCpuTime();
                            plain.trainStep();
                            plainStep += THREADS.getCurrentThreadCpuTime() - t0;
                            plainHead += headNanos;
                        } else {
                            headNanos = 0;
                            long t0 = THREADS.getCurrentThreadCpuTime();
                            mixed.trainStep();
                            long t1 = THREADS.getCurrentThreadCpuTime();
                            DomainProportions next = control ? null : strategy.endOfStep(mixed.step(), mixed);
                            if (next != null) mixed.setProportions(next);
                            long end = THREADS.getCurrentThreadCpuTime() - t1;
                            mixedStep += t1 - t0;
                            mixedHead += headNanos;
                            if (next != null) {
                                roundEnds += end;
                                rounds++;
                            } else {
                                otherEnds += end;
                            }
                        }
                    }
                }
                double us = steps * 1e3;
                System.out.printf(Locale.ROOT, "%s, k = %d, %d steps; per step (us): plain %.1f (head %.1f, rest %.1f);"
                                + " method %.1f (head %.1f, rest %.1f, end of step %.1f)%n",
                        control ? "control" : "R&B", k, steps, plainStep / us, plainHead / us, (plainStep - plainHead) / us,
                        mixedStep / us, mixedHead / us, (mixedStep - mixedHead) / us, (roundEnds + otherEnds) / us);
                System.out.printf(Locale.ROOT, "of the plain step: head %+.3f%%, rest %+.3f%%, end of step %+.3f%% (round end %.1f us x %d,"
                                + " other steps %.1f us), total %+.3f%%%n",
                        100 * (mixedHead - plainHead) / plainStep, 100 * ((mixedStep - mixedHead) - (plainStep - plainHead)) / plainStep,
                        100 * (roundEnds + otherEnds) / plainStep, rounds == 0 ? 0 : roundEnds / rounds / 1e3, rounds,
                        otherEnds / Math.max(1, steps - rounds) / 1e3, 100 * (mixedStep + roundEnds + otherEnds - plainStep) / plainStep);
            }
        }
    }

    /** Replaces the trainer's head split by the same split timed (thread CPU) into {@link #headNanos}. */
    private static void timeHead(Trainer trainer, Trainer.HeadGradientSplit split) {
        trainer.setHeadGradientSplit((batch, h, e, rows, dW) -> {
            long t0 = THREADS.getCurrentThreadCpuTime();
            split.accumulate(batch, h, e, rows, dW);
            headNanos += THREADS.getCurrentThreadCpuTime() - t0;
        });
    }
}
