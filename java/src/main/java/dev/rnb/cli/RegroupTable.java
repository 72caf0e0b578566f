package dev.rnb.cli;

import dev.rnb.regroup.KSweep;
import dev.rnb.regroup.Regroup;

import java.util.Locale;

/** The k sweep and the chosen clustering as printed by rnb regroup. */
final class RegroupTable {
    private RegroupTable() {}

    static String format(Regroup.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%6s  %10s  %14s  %5s%n", "k", "silhouette", "inertia", "iters"));
        for (KSweep.Row row : r.sweep().rows()) {
            sb.append(String.format(Locale.ROOT, "%6d  %10.4f  %14.6g  %5d%s%n", row.k(), row.silhouette(), row.inertia(),
                    row.iterations(), row.k() == r.k() ? "  <- best" : ""));
        }
        sb.append(String.format(Locale.ROOT, "k = %d; evaluation proportions p:", r.k()));
        for (double p : r.evalProportions()) sb.append(String.format(Locale.ROOT, " %.4f", p));
        sb.append(System.lineSeparator());
        return sb.toString();
    }
}
