package dev.rnb.mix;

import dev.rnb.balance.SketchSpec;

/**
 * Settings of the mixing strategies.
 *
 * @param stepsPerRound K: optimiser steps per round (every strategy that adapts updates once per round)
 * @param lambda        R&amp;B's softmax temperature, or {@link #LAMBDA_AUTO} or {@link #LAMBDA_AUTO_ALL} for {@link dev.rnb.balance.LambdaRule#auto}
 * @param sketch        how R&amp;B keeps its per-domain gradients: exact, CountSketch or factored sketch
 * @param eta           step size of Skill-It, Aioli and DGA's exponentiated updates; NaN = each method's default
 * @param probeSteps    Skill-It's training steps per domain for its skills graph, and Aioli's per domain per round
 * @param evalExamples  evaluation examples Skill-It and Aioli evaluate on (an evenly spaced subset of the eval set)
 * @param window        Skill-It's window of evaluation losses (rounds)
 * @param seed          seed of the strategies' own batch samplers and of R&amp;B's sketch
 * @param uniformShare  R&amp;B extension beyond the paper: train on (1 - u) p' + u uniform (0 = the paper's rule)
 * @param ema           Aioli: EMA weight of the previous A; DGA: EMA weight of the previous proportions; R&amp;B with absent=carry: weight of the previous average; NaN = each method's default
 * @param absent        R&amp;B: what to do about domains a round does not touch (the paper: logit 0)
 * @param hier          R&amp;B extension beyond the paper: the groups of a hierarchical mixture, top level first, each
 *                      entry the number of groups each group of the level above is split into (empty = off, the
 *                      paper's flat update; a single {@link #HIER_SQRT} = round(sqrt(k)) groups; see {@link DomainHierarchy})
 * @param naturalPrior  R&amp;B extension beyond the paper ({@code prior=natural}): start from the training domains'
 *                      sizes q instead of the uniform mixture and train on p'_i q_i / sum_j p'_j q_j, the maximiser
 *                      of the paper's objective with its entropy term measured against q (false = the paper's rule)
 * @param shareCap      R&amp;B extension beyond the paper ({@code cap=m}): no domain's share above m q_i, q the training
 *                      domains' sizes, so that none is read more than m times as often as drawing by size reads it
 *                      ({@link dev.rnb.data.DomainProportions#cappedBy}); 0 = off (the paper's rule), else m &gt;= 1
 */
public record MixOptions(int stepsPerRound, float lambda, SketchSpec sketch, double eta, int probeSteps, int evalExamples,
                         int window, long seed, float uniformShare, double ema, AbsentDomains absent,
                         java.util.List<Integer> hier, boolean naturalPrior, float shareCap) {
    /** {@code hier=sqrt}: round(sqrt(k)) groups. */
    public static final int HIER_SQRT = -1;
    /** lambda = 1 (docs/RESULTS.md's sweep); with {@code hier} and {@code lambda=auto}, the lambda of the levels above the finest groups. */
    public static final float DEFAULT_LAMBDA = 1f;
    /**
     * {@code lambda=auto}: min(1.5 ln k, lambda* / 2) of the evaluation proportions ({@link dev.rnb.balance.LambdaRule#auto});
     * with {@code hier}, each finest group's of its domains' proportions (never below {@link #DEFAULT_LAMBDA}), the levels
     * above at {@link #DEFAULT_LAMBDA}.
     */
    public static final float LAMBDA_AUTO = -1f;
    /**
     * {@code lambda=auto-all}: {@link #LAMBDA_AUTO}, and with {@code hier} the rule at every level, each group's lambda
     * among its children of their evaluation shares, never below {@link #DEFAULT_LAMBDA}
     * ({@link dev.rnb.balance.HierarchicalUpdate#autoAtEveryNode}); without {@code hier} the same as {@code auto}.
     */
    public static final float LAMBDA_AUTO_ALL = -2f;

    public MixOptions {
        java.util.Objects.requireNonNull(sketch, "sketch");
        if (stepsPerRound < 1 || probeSteps < 1 || evalExamples < 1 || window < 1) {
            throw new IllegalArgumentException("need K >= 1, probe steps >= 1, eval examples >= 1 and window >= 1");
        }
        if (!Double.isNaN(ema) && !(ema >= 0 && ema < 1)) {
            throw new IllegalArgumentException("ema must be in [0, 1), got " + ema);
        }
        if (!(uniformShare >= 0 && uniformShare <= 1)) {
            throw new IllegalArgumentException("uniform share must be in [0, 1], got " + uniformShare);
        }
        java.util.Objects.requireNonNull(absent, "absent");
        hier = java.util.List.copyOf(hier);
        for (int g : hier) {
            if (g < 1 && !(g == HIER_SQRT && hier.size() == 1)) {
                throw new IllegalArgumentException("hier must be sqrt or numbers of groups >= 1 separated by /, got " + hier);
            }
        }
        if (!(shareCap == 0 || shareCap >= 1 && Float.isFinite(shareCap))) {
            throw new IllegalArgumentException("R&B's share cap must be off or a finite number >= 1 (1 = drawing by size), got " + shareCap);
        }
        if (!isAuto(lambda) && (!Float.isFinite(lambda) || lambda < 0)) {
            throw new IllegalArgumentException("lambda must be auto, auto-all or finite and >= 0, got " + lambda);
        }
    }

    /** K = 20, lambda = 1 (chosen by the sweep in docs/RESULTS.md; the paper used 3 on S1), exact gradients, method-default eta, 2 probe steps, 64 eval examples, window 3. */
    public static MixOptions defaults(long seed) {
        return new MixOptions(20, DEFAULT_LAMBDA, SketchSpec.EXACT, Double.NaN, 2, 64, 3, seed, 0f, Double.NaN, AbsentDomains.ZERO, java.util.List.of(), false, 0f);
    }

    MixOptions withSeed(long s) {
        return new MixOptions(stepsPerRound, lambda, sketch, eta, probeSteps, evalExamples, window, s, uniformShare, ema, absent, hier, naturalPrior, shareCap);
    }

    /**
     * One setting changed by name, as a method spec writes it (see
     * {@link Strategies#canonical}): lambda (a number, auto or auto-all), K (steps per round), sketch, eta,
     * probe-steps, uniform (R&amp;B's share of uniform mixing, an extension),
     * ema (Aioli's and DGA's EMA weight; R&amp;B's with absent=carry), absent (R&amp;B: zero, carry or grow;
     * {@link AbsentDomains}), hier (R&amp;B over clusters of clusters: a number of groups, sqrt, or
     * G1/G2/... for more levels; {@link DomainHierarchy}), prior (R&amp;B: uniform, the paper's, or natural, the training
     * domains' sizes), cap (R&amp;B: off, or m &gt;= 1: no domain above m times its size's share). An unknown key or a bad value is an IllegalArgumentException.
     */
    public MixOptions with(String key, String value) {
        try {
            return switch (key) {
                case "lambda" -> new MixOptions(stepsPerRound, parseLambda(value), sketch, eta, probeSteps, evalExamples, window, seed, uniformShare, ema, absent, hier, naturalPrior, shareCap);
                case "K" -> new MixOptions(Integer.parseInt(value), lambda, sketch, eta, probeSteps, evalExamples, window, seed, uniformShare, ema, absent, hier, naturalPrior, shareCap);
                case "sketch" -> new MixOptions(stepsPerRound, lambda, SketchSpec.parse(value), eta, probeSteps, evalExamples, window, seed, uniformShare, ema, absent, hier, naturalPrior, shareCap);
                case "eta" -> new MixOptions(stepsPerRound, lambda, sketch, positive(Double.parseDouble(value)), probeSteps, evalExamples, window, seed, uniformShare, ema, absent, hier, naturalPrior, shareCap);
                case "uniform" -> new MixOptions(stepsPerRound, lambda, sketch, eta, probeSteps, evalExamples, window, seed, Float.parseFloat(value), ema, absent, hier, naturalPrior, shareCap);
                case "ema" -> new MixOptions(stepsPerRound, lambda, sketch, eta, probeSteps, evalExamples, window, seed, uniformShare, Double.parseDouble(value), absent, hier, naturalPrior, shareCap);
                case "absent" -> new MixOptions(stepsPerRound, lambda, sketch, eta, probeSteps, evalExamples, window, seed, uniformShare, ema, AbsentDomains.parse(value), hier, naturalPrior, shareCap);
                case "hier" -> new MixOptions(stepsPerRound, lambda, sketch, eta, probeSteps, evalExamples, window, seed, uniformShare, ema, absent, parseHier(value), naturalPrior, shareCap);
                case "prior" -> new MixOptions(stepsPerRound, lambda, sketch, eta, probeSteps, evalExamples, window, seed, uniformShare, ema, absent, hier, parsePrior(value), shareCap);
                case "cap" -> new MixOptions(stepsPerRound, lambda, sketch, eta, probeSteps, evalExamples, window, seed, uniformShare, ema, absent, hier, naturalPrior, parseCap(value));
                case "probe-steps" -> new MixOptions(stepsPerRound, lambda, sketch, eta, Integer.parseInt(value), evalExamples, window, seed, uniformShare, ema, absent, hier, naturalPrior, shareCap);
                default -> throw new IllegalArgumentException("unknown method setting '" + key + "' (one of lambda, K, sketch, eta, probe-steps, uniform, ema, absent, hier, prior, cap)");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("method setting " + key + " needs a number, got '" + value + "'");
        }
    }

    /** lambda {@link #LAMBDA_AUTO} or {@link #LAMBDA_AUTO_ALL}: read from the evaluation proportions. */
    public static boolean isAuto(float lambda) {
        return lambda == LAMBDA_AUTO || lambda == LAMBDA_AUTO_ALL;
    }

    /**
     * "auto" ({@link #LAMBDA_AUTO}), "auto-all" ({@link #LAMBDA_AUTO_ALL}) or
     * a finite number &gt;= 0, as a method setting and {@code --lambda} write
     * it; anything else is an IllegalArgumentException naming the value (so
     * "-1" is refused, not read as auto).
     */
    public static float parseLambda(String value) {
        if (value.equals("auto")) return LAMBDA_AUTO;
        if (value.equals("auto-all")) return LAMBDA_AUTO_ALL;
        float v;
        try {
            v = Float.parseFloat(value);
        } catch (NumberFormatException e) {
            v = Float.NaN;
        }
        if (!Float.isFinite(v) || v < 0) throw new IllegalArgumentException("lambda must be auto, auto-all or a finite number >= 0, got '" + value + "'");
        return v;
    }

    /** sqrt, G, or G1/G2/...: G1 groups, each split into G2, and so on (at most as many as a group has members). */
    private static java.util.List<Integer> parseHier(String value) {
        if (value.equals("sqrt")) return java.util.List.of(HIER_SQRT);
        java.util.List<Integer> levels = new java.util.ArrayList<>();
        for (String part : value.split("/", -1)) {
            int g = Integer.parseInt(part);
            if (g < 1) throw new IllegalArgumentException("hier must be sqrt or numbers of groups >= 1 separated by /, got '" + value + "'");
            levels.add(g);
        }
        return levels;
    }

    /** uniform (the paper's: false) or natural (true). */
    private static boolean parsePrior(String value) {
        return switch (value) {
            case "uniform" -> false;
            case "natural" -> true;
            default -> throw new IllegalArgumentException("prior must be uniform or natural, got '" + value + "'");
        };
    }

    /** off (0) or a finite number &gt;= 1 (checked by the constructor). */
    private static float parseCap(String value) {
        return value.equals("off") ? 0f : Float.parseFloat(value);
    }

    private static double positive(double v) {
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException("eta must be finite and > 0, got " + v);
        return v;
    }

    double emaOr(double methodDefault) {
        return Double.isNaN(ema) ? methodDefault : ema;
    }

    double etaOr(double methodDefault) {
        return Double.isNaN(eta) ? methodDefault : eta;
    }
}
