package dev.rnb.mix;

import dev.rnb.data.Batch;
import dev.rnb.data.DomainGroups;
import dev.rnb.data.DomainProportions;
import dev.rnb.model.Gpt;
import dev.rnb.train.Trainer;

/**
 * A data mixing method, called around the training steps of a {@link Trainer}:
 * {@link #begin} once before training (one-time work such as Skill-It's
 * skills graph), {@link #afterBackward} after every backward pass (where R&amp;B
 * reads the head's H and E), and {@link #endOfStep} after every optimiser
 * step, which returns the new proportions when a round ends and null
 * otherwise. Its state goes into a checkpoint's extra section through
 * {@link #saveState} / {@link #restoreState}.
 *
 * <p>Every strategy measures the wall-clock time of its own extra work (all
 * of {@code begin}, {@code afterBackward} and {@code endOfStep}) and counts
 * the floating-point operations of that work analytically (a forward pass is
 * 2 N flops per token, forward + backward 6 N, N the parameter count), so a
 * run can report both its measured and its analytic overhead.
 */
public interface MixingStrategy extends AutoCloseable {
    /** Short name for tables: "stratified", "natural", "rnb", "skill-it", "aioli", "dga". */
    String name();

    /** The proportions of the first round (one per training domain). */
    float[] initialProportions();

    /** One-time work before the first step (default: none). */
    default void begin(Trainer trainer) {}

    /** After every backward pass, before the optimiser step. */
    void afterBackward(Gpt model, Batch batch);

    /**
     * Installs the strategy's per-step hooks on the trainer: {@link #afterBackward},
     * and for R&amp;B the split of the head's weight gradient into per-domain pieces.
     */
    default void attach(Trainer trainer) {
        trainer.setAfterBackward(this::afterBackward);
    }

    /**
     * After optimiser step {@code step} (counted from 1): the next proportions
     * when a round ended, else null; R&amp;B's are sparse under the paper's rule
     * ({@link DomainProportions}: no k-element array per round). May use the
     * trainer for extra passes.
     */
    DomainProportions endOfStep(int step, Trainer trainer);

    /** The mixing state for a checkpoint's extra section. */
    byte[] saveState();

    /** Restores what {@link #saveState} wrote (same strategy, same domains): {@link #readState}, then in force. */
    default void restoreState(byte[] state) { readState(state).apply(); }

    /**
     * {@link #restoreState}'s first half: reads and checks {@code state},
     * changing nothing (IllegalArgumentException, saying what is wrong), so
     * that a caller restoring more from one checkpoint ({@link MixedRun#resume}:
     * the trainer, whose proportions are bound to {@link RestoredState#groups})
     * can check everything before it puts anything in force.
     */
    RestoredState readState(byte[] state);

    /** State read back and checked ({@link #readState}), not yet in force. */
    @FunctionalInterface
    interface RestoredState {
        /** Puts the state in force (cannot fail: it was checked as it was read). */
        void apply();

        /**
         * The groups the state's proportions are grouped by once applied (R&amp;B
         * over groups at many domains, {@link DomainProportions#grouped}: its
         * hierarchy's finest groups), else null (default). A checkpoint stores
         * grouped proportions without their groups, and binds them to these
         * when it is read back.
         */
        default DomainGroups groups() { return null; }
    }

    /** Wall-clock nanoseconds spent in the strategy's own extra work so far. */
    long extraNanos();

    /** Floating-point operations of the strategy's extra work so far (analytic count). */
    double extraFlops();

    /**
     * The paper's cost model of the extra work so far, as a fraction of
     * C = 6 N D_t (rnb-method.md): Skill-It m delta + (T + m) D_e / (3 D_t),
     * Aioli T m D_e / (3 D_t), DGA m delta + T delta D_e / D_t, R&amp;B
     * T m^2 / (6 D_t), 0 for fixed mixtures; T = rounds completed.
     */
    double costModelRatio(double trainingTokens);

    /** A line on how the method behaved during the run, for the log (default: none). */
    default String summary() { return ""; }

    @Override
    default void close() {}
}
