package dev.rnb.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The statistics of {@link StrategyOverheadTable}: a run of N step pairs (a
 * plain step, and a step of the same trainer shape with a mixing method's
 * hooks and end of step) plus the method's one-time work before the first
 * step. Overhead = (one-time work + sum over pairs of (method step - plain
 * step)) / sum of plain steps: the method's extra time over the same
 * training without it. Means, not medians, because methods like DGA and
 * Aioli do their work in a few steps per round. 95% percentile-bootstrap
 * interval (2000 resamples, fixed seed), pairs resampled within their
 * stratum: the caller puts steps whose method work is of like size together
 * (ordinary steps, round ends, a one-off such as Skill-It's graph), so that
 * every resample keeps the method's fixed count of each, as the method does,
 * and the interval is that of the step times' noise. The one-time work is one
 * measurement and enters every resample as is.
 */
final class RunOverhead {
    private final double[] plainStep, methodStep;
    private final int[] stratum;
    private final double oneTime;

    RunOverhead(double[] plainStep, double[] methodStep, int[] stratum, double oneTime) {
        if (plainStep.length == 0 || plainStep.length != methodStep.length || plainStep.length != stratum.length) {
            throw new IllegalArgumentException("need matching, non-empty pairs and strata; got " + plainStep.length + ", "
                    + methodStep.length + " and " + stratum.length);
        }
        this.plainStep = plainStep;
        this.methodStep = methodStep;
        this.stratum = stratum;
        this.oneTime = oneTime;
    }

    /** Overhead as a fraction of the plain run: estimate, 2.5% and 97.5% bootstrap quantiles. */
    double[] ratio() {
        int n = plainStep.length;
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        double estimate = ratioOf(all);
        SplittableRandom random = new SplittableRandom(2505_00358L);
        Map<Integer, List<Integer>> members = new TreeMap<>();
        for (int i = 0; i < n; i++) members.computeIfAbsent(stratum[i], s -> new ArrayList<>()).add(i);
        double[] boot = new double[2000];
        int[] pick = new int[n];
        for (int b = 0; b < boot.length; b++) {
            int at = 0;
            for (List<Integer> m : members.values()) {
                for (int i = 0; i < m.size(); i++) pick[at++] = m.get(random.nextInt(m.size()));
            }
            boot[b] = ratioOf(pick);
        }
        Arrays.sort(boot);
        return new double[] {estimate, boot[(int) (0.025 * boot.length)], boot[(int) (0.975 * boot.length) - 1]};
    }

    /** The ratio over the pairs {@code pick} (with repeats; as many as the run's). */
    private double ratioOf(int[] pick) {
        double plain = 0, extra = 0;
        for (int i : pick) {
            plain += plainStep[i];
            extra += methodStep[i] - plainStep[i];
        }
        return (oneTime + extra) / plain;
    }

    double meanPlainStep() { return sum(plainStep) / plainStep.length; }

    double meanMethodStep() { return sum(methodStep) / methodStep.length; }

    double oneTime() { return oneTime; }

    int pairs() { return plainStep.length; }

    private static double sum(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s;
    }
}
