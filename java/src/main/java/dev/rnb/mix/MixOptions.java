package dev.rnb.mix;

/**
 * Settings of the mixing strategies.
 *
 * @param stepsPerRound K: optimiser steps per round (every strategy that adapts updates once per round)
 * @param lambda        R&amp;B's softmax temperature
 * @param sketch        R&amp;B's sketch size r (0 = exact per-domain gradients)
 * @param eta           step size of Skill-It, Aioli and DGA's exponentiated updates; NaN = each method's default
 * @param probeSteps    Skill-It's training steps per domain for its skills graph, and Aioli's per domain per round
 * @param evalExamples  evaluation examples Skill-It and Aioli evaluate on (an evenly spaced subset of the eval set)
 * @param window        Skill-It's window of evaluation losses (rounds)
 * @param seed          seed of the strategies' own batch samplers and of R&amp;B's sketch
 */
public record MixOptions(int stepsPerRound, float lambda, int sketch, double eta, int probeSteps, int evalExamples,
                         int window, long seed) {
    public MixOptions {
        if (stepsPerRound < 1 || sketch < 0 || probeSteps < 1 || evalExamples < 1 || window < 1) {
            throw new IllegalArgumentException("need K >= 1, sketch >= 0, probe steps >= 1, eval examples >= 1 and window >= 1");
        }
        if (!Float.isFinite(lambda) || lambda < 0) {
            throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
        }
    }

    /** K = 20, lambda = 3 (the paper's S1 value), exact gradients, method-default eta, 2 probe steps, 64 eval examples, window 3. */
    public static MixOptions defaults(long seed) {
        return new MixOptions(20, 3f, 0, Double.NaN, 2, 64, 3, seed);
    }

    MixOptions withSeed(long s) {
        return new MixOptions(stepsPerRound, lambda, sketch, eta, probeSteps, evalExamples, window, s);
    }

    double etaOr(double methodDefault) {
        return Double.isNaN(eta) ? methodDefault : eta;
    }
}
