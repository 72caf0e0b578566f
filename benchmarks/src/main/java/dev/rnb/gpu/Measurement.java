package dev.rnb.gpu;

import java.util.Locale;

/**
 * One row of the GPU check: what was measured, its median time, a rate
 * (TFLOP/s, GB/s or rows/s) and the ratio to its named baseline.
 */
public record Measurement(String group, String what, String size, double medianMs, double rate, String rateUnit,
                          String baseline, double ratioToBaseline) {

    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"group\":\"%s\",\"what\":\"%s\",\"size\":\"%s\",\"median_ms\":%.6g,\"rate\":%.6g,\"rate_unit\":\"%s\","
                        + "\"baseline\":\"%s\",\"ratio_to_baseline\":%.6g}",
                group, what, size, medianMs, rate, rateUnit, baseline, ratioToBaseline);
    }

    public String toRow() {
        return String.format(Locale.ROOT, "%-12s %-34s %-24s %12.4f %12.4g %-8s %s", group, what, size, medianMs, rate, rateUnit,
                baseline.isEmpty() ? "" : String.format(Locale.ROOT, "%.3fx %s", ratioToBaseline, baseline));
    }

    public static String header() {
        return String.format(Locale.ROOT, "%-12s %-34s %-24s %12s %12s %-8s %s", "group", "what", "size", "median ms", "rate", "unit",
                "vs baseline");
    }
}
