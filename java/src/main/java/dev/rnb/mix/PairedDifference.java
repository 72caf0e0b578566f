package dev.rnb.mix;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Final eval loss of a method minus that of a reference (Stratified) run with
 * the same seed: the seed fixes the initialisation and the batch sampler's
 * generator, so the pair shares everything but the mixing, and the
 * difference's spread is the method's own noise, not the seeds'. Mean and 95%
 * t interval of the differences, and on how many seeds the method's loss was
 * lower.
 *
 * @param seeds      pairs (seeds run by both)
 * @param difference method minus reference, mean and 95% CI
 * @param wins       seeds on which the method's loss was lower
 */
public record PairedDifference(int seeds, MeanCi difference, int wins) {

    /** Pairs {@code runs} with {@code reference} by seed; seeds missing from either are left out. */
    public static PairedDifference of(List<RunResult> runs, List<RunResult> reference) {
        Map<Long, Double> ref = new HashMap<>();
        for (RunResult r : reference) ref.put(r.seed(), r.evalLoss());
        List<Double> d = new ArrayList<>();
        int wins = 0;
        for (RunResult r : runs) {
            Double base = ref.get(r.seed());
            if (base == null) continue;
            double diff = r.evalLoss() - base;
            d.add(diff);
            if (diff < 0) wins++;
        }
        return new PairedDifference(d.size(), MeanCi.of(d), wins);
    }

    /** "better than", "worse than" or "not distinguishable from": whether the 95% CI of the difference excludes 0. */
    public String verdict() {
        if (seeds < 2) return "not distinguishable from";
        if (difference.high() < 0) return "better than";
        if (difference.low() > 0) return "worse than";
        return "not distinguishable from";
    }

    /** One sentence: "R&B: 0.0123 ± 0.0100 lower loss than Stratified ... : better than Stratified at this budget". */
    public String sentence(String method, String reference) {
        if (seeds == 0) return method + ": no seed shared with " + reference;
        String ci = seeds < 2 ? "one seed: no interval" : String.format(Locale.ROOT, "95%% CI [%+.4f, %+.4f]", difference.low(), difference.high());
        return String.format(Locale.ROOT, "%s: loss %+.4f vs %s (%s; lower on %d of %d seeds): %s %s at this budget",
                method, difference.mean(), reference, ci, wins, seeds, verdict(), reference);
    }
}
