package dev.rnb.mix;

import dev.rnb.data.ByteDataset;
import dev.rnb.data.DomainProportions;
import dev.rnb.train.Checkpoint;
import dev.rnb.train.CheckpointException;
import dev.rnb.train.EvalWindows;
import dev.rnb.train.Evaluation;
import dev.rnb.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Trains with a mixing strategy: sets its initial proportions, calls it after
 * every backward pass and step, applies the proportions it returns,
 * evaluates every {@code evalEvery} steps (monitoring, not counted as the
 * strategy's overhead nor as training time: on a fixed sample of evaluation
 * windows when {@link #evalTokens} is set, on the whole set at the last step),
 * checkpoints the model with the strategy's state in the extra section and
 * resumes from such a checkpoint.
 */
public final class MixedRun {
    private final Trainer trainer;
    private final MixingStrategy strategy;
    private final ByteDataset eval;
    private int evalEvery = 50;
    private ByteDataset monitor;
    private int logEvery = 0;
    private Path checkpoint;
    private int checkpointEvery = 0;
    private Consumer<String> progress = s -> {};

    public MixedRun(Trainer trainer, MixingStrategy strategy, ByteDataset eval) {
        this.trainer = trainer;
        this.strategy = strategy;
        this.eval = eval;
        this.monitor = eval;
    }

    /**
     * Evaluations before the last step score a fixed sample of about
     * {@code tokens} predicted bytes ({@link EvalWindows}; 0 = the whole set);
     * the last step's evaluation, the run's result, always scores the whole set.
     */
    public MixedRun evalTokens(long tokens) {
        this.monitor = EvalWindows.sample(eval, trainer.model().config().context(), tokens);
        return this;
    }

    public MixedRun evalEvery(int n) { this.evalEvery = n; return this; }

    /** Progress line every n steps (0 = none). */
    public MixedRun logEvery(int n, Consumer<String> sink) { this.logEvery = n; this.progress = sink; return this; }

    /** Write {@code file} every n steps and at the end. */
    public MixedRun checkpoint(Path file, int every) { this.checkpoint = file; this.checkpointEvery = every; return this; }

    /**
     * Restores the model, sampler and strategy state from a checkpoint written
     * by this class: the file is read and checked against the model first,
     * then the strategy's state read and checked (its groups, if its
     * proportions are grouped), then the trainer's restored, its proportions
     * bound to those groups, and only then the strategy's state put in force.
     * A checkpoint that cannot be used is a {@link CheckpointException} naming
     * the file and what is wrong with it, and then neither the strategy nor
     * the trainer has changed.
     */
    public void resume(Path file) throws IOException {
        Checkpoint c = Checkpoint.read(file);
        c.checkCompatible(file, trainer.model().config(), trainer.options().batch());
        MixingStrategy.RestoredState state;
        try {
            state = strategy.readState(c.extra());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("checkpoint " + file + " field extra: " + e.getMessage(), e);
        }
        trainer.restore(c, file, state.groups());
        state.apply();
    }

    public RunResult run(String grouping, long seed) throws IOException {
        int steps = trainer.options().steps();
        List<double[]> curve = new ArrayList<>();
        List<RunResult.Proportions> history = new ArrayList<>();
        if (trainer.step() == 0) {
            trainer.setProportions(strategy.initialProportions());
        }
        long trainNanos = 0;
        long t00 = System.nanoTime();
        strategy.begin(trainer); // after a restore the one-time work is already in the restored state
        trainNanos += System.nanoTime() - t00;
        history.add(new RunResult.Proportions(trainer.step(), trainer.sampler().mixture().compact()));
        strategy.attach(trainer);
        double window = 0;
        int inWindow = 0;
        Evaluation last = null;
        long monitorNanos = 0, finalNanos = 0;
        long loopStart = System.nanoTime();
        while (trainer.step() < steps) {
            long t0 = System.nanoTime();
            float loss = trainer.trainStep();
            int step = trainer.step();
            DomainProportions next = strategy.endOfStep(step, trainer);
            if (next != null) {
                trainer.setProportions(next);
                history.add(new RunResult.Proportions(step, next)); // the report's history: as sparse as p' is
            }
            trainNanos += System.nanoTime() - t0;
            window += loss;
            inWindow++;
            if (logEvery > 0 && (step % logEvery == 0 || step == steps)) {
                double seconds = (System.nanoTime() - loopStart) / 1e9;
                progress.accept(String.format(Locale.ROOT, "%s | step %d/%d | loss %.4f | extra %.1f%% | %.1f s",
                        strategy.name(), step, steps, window / inWindow,
                        100.0 * strategy.extraNanos() / Math.max(1, trainNanos - strategy.extraNanos()), seconds));
                window = 0;
                inWindow = 0;
            }
            if (step == steps) {
                long e0 = System.nanoTime();
                last = trainer.evaluate(eval);
                finalNanos += System.nanoTime() - e0;
                curve.add(new double[] {step, last.loss()});
            } else if (step % evalEvery == 0) {
                long e0 = System.nanoTime();
                curve.add(new double[] {step, trainer.evaluate(monitor).loss()});
                monitorNanos += System.nanoTime() - e0;
            }
            if (checkpoint != null && checkpointEvery > 0 && (step % checkpointEvery == 0 || step == steps)) {
                Files.createDirectories(checkpoint.toAbsolutePath().getParent());
                trainer.save(checkpoint, strategy.saveState());
            }
        }
        if (last == null) {
            long e0 = System.nanoTime();
            last = trainer.evaluate(eval);
            finalNanos += System.nanoTime() - e0;
            curve.add(new double[] {trainer.step(), last.loss()});
        }
        double n = trainer.model().layout().size();
        double trainingFlops = 6 * n * steps * (double) trainer.options().batch() * trainer.model().config().context();
        return new RunResult(strategy.name(), grouping, seed, last.loss(), eval.domainNames(), last.domainLoss(),
                curve, history, trainNanos, monitorNanos, finalNanos, strategy.extraNanos(), strategy.extraFlops(), trainingFlops,
                strategy.costModelRatio((double) steps * trainer.options().batch() * trainer.model().config().context()));
    }
}
