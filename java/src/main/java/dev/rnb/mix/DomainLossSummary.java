package dev.rnb.mix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The per-domain losses of a report summarised for many domains (issue #17:
 * up to 10^6), where a column or a {@code name=loss} entry per domain would
 * make a million-column table: how many domains have a loss, the quantiles,
 * and the lowest and highest few by name. Domains without a loss (NaN: no
 * evaluation example) are left out. O(k log k) for the sort of the values.
 */
final class DomainLossSummary {
    /** Reports show one column per domain up to this many domains, the summary beyond. */
    static final int MAX_DOMAIN_COLUMNS = 32;
    /** Quantiles shown, as fractions. */
    static final double[] QUANTILES = {0, 0.1, 0.5, 0.9, 1};
    static final String[] QUANTILE_NAMES = {"min", "10%", "median", "90%", "max"};
    /** How many of the lowest and highest domains are named. */
    static final int NAMED = 3;

    private final int domains;
    private final double[] quantiles;
    private final List<String> lowest = new ArrayList<>(), highest = new ArrayList<>();

    /** @param loss one value per domain, NaN where a domain has none */
    DomainLossSummary(List<String> names, double[] loss) {
        double[] sorted = Arrays.stream(loss).filter(x -> !Double.isNaN(x)).sorted().toArray();
        domains = sorted.length;
        quantiles = new double[QUANTILES.length];
        for (int q = 0; q < QUANTILES.length; q++) quantiles[q] = domains == 0 ? Double.NaN : quantile(sorted, QUANTILES[q]);
        for (int d : extremes(loss, false)) lowest.add(entry(names, loss, d));
        for (int d : extremes(loss, true)) highest.add(entry(names, loss, d));
    }

    /** Linear interpolation between the order statistics (the default of R and NumPy). */
    private static double quantile(double[] sorted, double q) {
        double at = q * (sorted.length - 1);
        int lo = (int) Math.floor(at), hi = (int) Math.ceil(at);
        return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
    }

    /** The {@link #NAMED} lowest (or highest) domains, most extreme first, ties by domain id: one pass, O(k NAMED). */
    private static int[] extremes(double[] loss, boolean highest) {
        int[] best = new int[NAMED];
        int n = 0;
        for (int d = 0; d < loss.length; d++) {
            if (Double.isNaN(loss[d])) continue;
            int at = n;
            while (at > 0 && (highest ? loss[d] > loss[best[at - 1]] : loss[d] < loss[best[at - 1]])) at--;
            if (at >= NAMED) continue;
            System.arraycopy(best, at, best, at + 1, Math.min(n, NAMED - 1) - at);
            best[at] = d;
            n = Math.min(n + 1, NAMED);
        }
        return Arrays.copyOf(best, n);
    }

    private static String entry(List<String> names, double[] loss, int d) {
        return names.get(d) + "=" + String.format(Locale.ROOT, "%.4f", loss[d]);
    }

    /** Domains with a loss. */
    int domains() { return domains; }

    /** The values at {@link #QUANTILES}, NaN when no domain has a loss. */
    double[] quantiles() { return quantiles.clone(); }

    /** The lowest-loss domains as name=loss, lowest first. */
    List<String> lowest() { return List.copyOf(lowest); }

    /** The highest-loss domains as name=loss, highest first. */
    List<String> highest() { return List.copyOf(highest); }

    /** Header cells of {@link #cells()}. */
    static List<String> header() {
        List<String> h = new ArrayList<>(List.of("domains with a loss"));
        h.addAll(List.of(QUANTILE_NAMES));
        h.add("lowest " + NAMED);
        h.add("highest " + NAMED);
        return h;
    }

    /** One table row's cells, matching {@link #header()}. */
    List<String> cells() {
        List<String> c = new ArrayList<>(List.of(Integer.toString(domains)));
        for (double q : quantiles) c.add(String.format(Locale.ROOT, "%.4f", q));
        c.add(String.join(" ", lowest));
        c.add(String.join(" ", highest));
        return c;
    }

    /** One field without commas for results.csv: domains=n;min=..;10%=..;median=..;90%=..;max=.. */
    String csvField() {
        StringBuilder s = new StringBuilder("domains=").append(domains);
        for (int q = 0; q < quantiles.length; q++) {
            s.append(';').append(QUANTILE_NAMES[q]).append('=').append(String.format(Locale.ROOT, "%.6f", quantiles[q]));
        }
        return s.toString();
    }
}
