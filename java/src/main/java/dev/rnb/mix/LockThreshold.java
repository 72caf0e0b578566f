package dev.rnb.mix;

import dev.rnb.balance.LambdaRule;

import java.util.Locale;

/**
 * The run summary's note where R&amp;B's lambda is above half of
 * {@link LambdaRule#lambdaStar lambda*}, the lambda at which the update
 * starts to put the mixture on one domain: on skewed evaluation sets every
 * run above lambda* has locked, every run below lambda* / 2 has not, and
 * between the two some cells locked every run and others none
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

    /**
     * A note for the run's summary ("; ...") when {@code lambda} is above
     * lambda* / 2, where skewed-set runs have locked, and there are at least
     * {@link #MIN_DOMAINS} domains; else "".
     */
    static String note(float lambda, float[] evalProportions) {
        double star = LambdaRule.lambdaStar(evalProportions);
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
