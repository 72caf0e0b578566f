package dev.rnb.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The statistics of {@link OverheadClaimsBenchmark}: per step pair, the
 * plain step's time and R&amp;B's own work in the R&amp;B step (the fused head
 * call minus the plain step's head GEMM); per round, the end of the round.
 * The overhead is (median own work + mean end of round / K) / median plain
 * step, with a 95% percentile-bootstrap interval (pairs and rounds resampled
 * independently, 2000 resamples, fixed seed). Also the GPU check's R&amp;B
 * row (dev.rnb.gpu.GpuBenchmarks), in milliseconds there.
 */
public final class PairedOverhead {
    private final double[] plainStep, ownWork, endRound;
    private final int stepsPerRound;

    public PairedOverhead(double[] plainStep, double[] ownWork, double[] endRound, int stepsPerRound) {
        if (plainStep.length == 0 || plainStep.length != ownWork.length) {
            throw new IllegalArgumentException("need matching, non-empty pairs; got " + plainStep.length + " and " + ownWork.length);
        }
        this.plainStep = plainStep;
        this.ownWork = ownWork;
        this.endRound = endRound;
        this.stepsPerRound = stepsPerRound;
    }

    /** Overhead as a fraction of the plain step: estimate, 2.5% and 97.5% bootstrap quantiles. */
    public double[] ratio() {
        double estimate = ratioOf(plainStep, ownWork, endRound);
        SplittableRandom random = new SplittableRandom(2505_00358L);
        double[] boot = new double[2000];
        for (int b = 0; b < boot.length; b++) {
            int n = plainStep.length;
            double[] p = new double[n], o = new double[n];
            for (int i = 0; i < n; i++) {
                int j = random.nextInt(n);
                p[i] = plainStep[j];
                o[i] = ownWork[j];
            }
            double[] e = new double[endRound.length];
            for (int i = 0; i < e.length; i++) e[i] = endRound[random.nextInt(e.length)];
            boot[b] = ratioOf(p, o, e);
        }
        Arrays.sort(boot);
        return new double[] {estimate, boot[(int) (0.025 * boot.length)], boot[(int) (0.975 * boot.length) - 1]};
    }

    private double ratioOf(double[] plain, double[] own, double[] end) {
        double perStep = median(own) + (end.length == 0 ? 0 : mean(end) / stepsPerRound);
        return perStep / median(plain);
    }

    public double medianPlainStep() { return median(plainStep); }

    public double medianOwnWork() { return median(ownWork); }

    public double meanEndRound() { return endRound.length == 0 ? 0 : mean(endRound); }

    int pairs() { return plainStep.length; }

    String row(String label) {
        double[] r = ratio();
        return String.format(Locale.ROOT, "| %s | %d | %.3f | %.4f | %.4f | %.4f%% | [%.4f%%, %.4f%%] |", label, pairs(),
                medianPlainStep() / 1e6, medianOwnWork() / 1e6, meanEndRound() / 1e6, 100 * r[0], 100 * r[1], 100 * r[2]);
    }

    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }
}
