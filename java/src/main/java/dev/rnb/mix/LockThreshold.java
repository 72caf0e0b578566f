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
 * next p' is more concentrated still. On skewed evaluation sets every run
 * above lambda* has put the mixture on one domain, every run below lambda* / 2
 * has not, and between the two some cells locked every run (State of the
 * Union at 0.7 lambda*: its G is far from diagonal) and others none
 * (docs/scaling/training-vs-k.md, "Lambda = 0.7 lambda* on fresh seeds").
 * In distribution runs locked below lambda* / 2 too: there it is no guide.
 */
final class LockThreshold {
    /**
     * The note is given from this many domains on: lambda* was measured against
     * runs at k = 256 to 4096; at a few domains most of p' on one is no trap
     * (the other k - 1 still get sampled) and the paper's lambda can exceed
     * lambda* / 2 (the built-in corpus at k = 4: lambda* about 1.4).
     */
    static final int MIN_DOMAINS = 256;

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

    /**
     * A note for the run's summary ("; ...") when {@code lambda} is above
     * lambda* / 2, where skewed-set runs have locked, and there are at least
     * {@link #MIN_DOMAINS} domains; else "".
     */
    static String note(float lambda, float[] evalProportions) {
        double star = lambdaStar(evalProportions);
        if (evalProportions.length < MIN_DOMAINS || !(lambda > star / 2)) return "";
        String which = lambda > star ? "above lambda* = %2$.1f for this evaluation set (ln(k - 1) ||p|| / max p):"
                + " on skewed evaluation sets every run above it so far put the mixture on one domain"
                : "above lambda* / 2 (lambda* = %2$.1f for this evaluation set, ln(k - 1) ||p|| / max p):"
                + " on skewed evaluation sets some settings there put every run on one domain, none below lambda* / 2 did";
        return String.format(Locale.ROOT, "; lambda %1$s is " + which
                + " (docs/scaling/training-vs-k.md, \"Lambda = 0.7 lambda* on fresh seeds: the lock edge is below lambda*\")",
                lambda == Math.rint(lambda) ? Integer.toString((int) lambda) : Float.toString(lambda), star);
    }
}
