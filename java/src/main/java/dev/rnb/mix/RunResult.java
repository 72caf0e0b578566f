package dev.rnb.mix;

import dev.rnb.data.DomainProportions;

import java.util.List;

/**
 * One training run with one mixing strategy.
 *
 * @param method          strategy name
 * @param grouping        which domains it mixed ("original", "regrouped (...)")
 * @param seed            the run's seed
 * @param evalLoss        final evaluation loss (nats per byte)
 * @param domainNames     the domains (as mixed)
 * @param domainLoss      final evaluation loss per domain (NaN where the eval set has none)
 * @param evalCurve       (step, eval loss) pairs
 * @param proportions     the proportions in force from step 0, then after each round that changed them: (step, p)
 * @param trainNanos      wall-clock time of the training loop, the strategy's extra work included, monitoring evals excluded
 * @param monitorNanos    wall-clock time of the evaluations during training (the curve's points before the last)
 * @param finalEvalNanos  wall-clock time of the final evaluation on the whole evaluation set
 * @param extraNanos      wall-clock time of the strategy's extra work
 * @param extraFlops      analytic flops of the strategy's extra work
 * @param trainingFlops   6 N D_t of the run
 * @param costModelRatio  the paper's cost model of the extra work over 6 N D_t (see {@link MixingStrategy#costModelRatio})
 */
public record RunResult(String method, String grouping, long seed, double evalLoss, List<String> domainNames,
                        double[] domainLoss, List<double[]> evalCurve, List<Proportions> proportions,
                        long trainNanos, long monitorNanos, long finalEvalNanos, long extraNanos, double extraFlops, double trainingFlops, double costModelRatio) {

    /** The same run under another method name (a method spec with its settings, see {@link Strategies#canonical}). */
    public RunResult withMethod(String name) {
        return new RunResult(name, grouping, seed, evalLoss, domainNames, domainLoss, evalCurve, proportions, trainNanos,
                monitorNanos, finalEvalNanos, extraNanos, extraFlops, trainingFlops, costModelRatio);
    }

    /**
     * Proportions in force from {@code step} on, kept in the form the strategy
     * produced them (immutable, so shared, not copied): R&amp;B's sparse p' is
     * t values plus one shared value, so a run's history at 10^6 domains
     * holds O(touched) per round rather than k floats (docs/SCALING.md §3).
     */
    public record Proportions(int step, DomainProportions mixture) {
        /** All k values (a fresh array; O(k)). */
        public float[] p() { return mixture.toArray(); }
    }

    /** Measured overhead: extra time over the rest of the training time, in percent. */
    public double measuredOverheadPercent() {
        long base = trainNanos - extraNanos;
        return base <= 0 ? Double.NaN : 100.0 * extraNanos / base;
    }

    /** Evaluations during training as a share of the run (training loop + those evaluations), in percent. */
    public double monitorPercent() {
        return 100.0 * monitorNanos / Math.max(1, trainNanos + monitorNanos);
    }

    /** Analytic overhead: the counted flops of the extra work over 6 N D_t, in percent. */
    public double analyticOverheadPercent() {
        return 100.0 * extraFlops / trainingFlops;
    }

    /** The paper's cost model of the extra work, in percent of 6 N D_t. */
    public double costModelPercent() {
        return 100.0 * costModelRatio;
    }
}
