package dev.rnb.mix;

import java.util.Locale;

/**
 * The lambda at which R&amp;B's update starts to put the mixture on one
 * domain, read from the evaluation proportions alone, before any training.
 *
 * <p>If G were diagonal with equal entries, G p / ||G p|| = p / ||p||: the
 * evaluation set's largest cluster gets logit lambda c with c = max p / ||p||_2,
 * every other at most 0, so it holds a majority of p' = softmax(lambda G p /
 * ||G p||) once lambda c &gt; ln(k - 1). So lambda* = ln(k - 1) / c. Then a round
 * draws most of its sequences from it, its G p has fewer entries, and the
 * next p' is more concentrated still: on every skewed evaluation set run so
 * far, lambda above lambda* put the mixture on one domain in every run, and a
 * test fixed before the runs held at k = 512 and 2048 (docs/scaling/training-vs-k.md,
 * "How the mixture reaches one domain: R&amp;B round by round at k = 256 and 1024").
 * Below lambda* is no guarantee: the real G is not diagonal, and in
 * distribution runs locked below it.
 */
final class LockThreshold {
    private LockThreshold() {}

    /** ln(k - 1) ||p||_2 / max p over the evaluation proportions p (k values); NaN for k &lt; 2 or p all 0. */
    static double lambdaStar(float[] evalProportions) {
        double max = 0, squares = 0;
        for (float v : evalProportions) {
            max = Math.max(max, v);
            squares += (double) v * v;
        }
        int k = evalProportions.length;
        return k < 2 || max == 0 ? Double.NaN : Math.log(k - 1) * Math.sqrt(squares) / max;
    }

    /** A note for the run's summary when {@code lambda} is above lambda* ("; ..."), else "". */
    static String note(float lambda, float[] evalProportions) {
        double star = lambdaStar(evalProportions);
        if (!(lambda > star)) return "";
        return String.format(Locale.ROOT, "; lambda %s is above lambda* = %.1f for this evaluation set (ln(k - 1) ||p|| / max p):"
                + " on skewed evaluation sets every run above it so far put the mixture on one domain"
                + " (docs/scaling/training-vs-k.md, \"How the mixture reaches one domain: R&B round by round at k = 256 and 1024\")",
                lambda == Math.rint(lambda) ? Integer.toString((int) lambda) : Float.toString(lambda), star);
    }
}
