package dev.rnb.mix;

import java.util.List;
import java.util.Locale;

/**
 * Mean of a small sample with its two-sided 95% confidence interval from
 * Student's t: mean +- t(0.975, n - 1) sd / sqrt(n). With one value there is
 * no interval (the half-width is NaN): one seed says nothing about noise.
 */
public record MeanCi(int n, double mean, double sd, double halfWidth) {
    public static MeanCi of(List<Double> values) {
        int n = values.size();
        if (n == 0) return new MeanCi(0, Double.NaN, Double.NaN, Double.NaN);
        double mean = 0;
        for (double v : values) mean += v;
        mean /= n;
        if (n == 1) return new MeanCi(1, mean, Double.NaN, Double.NaN);
        double ss = 0;
        for (double v : values) ss += (v - mean) * (v - mean);
        double sd = Math.sqrt(ss / (n - 1));
        return new MeanCi(n, mean, sd, StudentT.quantile(0.975, n - 1) * sd / Math.sqrt(n));
    }

    public double low() { return mean - halfWidth; }

    public double high() { return mean + halfWidth; }

    /** "1.2345 ± 0.0012" (95% CI half-width), or the mean alone for one value. */
    public String format(String fmt) {
        if (n == 0) return "-";
        if (n == 1) return String.format(Locale.ROOT, fmt, mean);
        return String.format(Locale.ROOT, fmt + " ± " + fmt, mean, halfWidth);
    }
}
