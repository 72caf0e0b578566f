package dev.rnb.balance;

/**
 * R&amp;B's lambda read from the evaluation proportions alone, before any
 * training: where the update starts to put the mixture on one domain
 * ({@link #lambdaStar}), and the setting the large-k studies support
 * ({@link #auto}). Beyond the paper, which tuned lambda by hand at a few
 * domains.
 */
public final class LambdaRule {
    /** {@link #auto}'s growth with the number of domains k: lambda = 1.5 ln k (tested at k = 512 and 2048). */
    static final double PER_LN_K = 1.5;

    private LambdaRule() {}

    /**
     * lambda* = ln(k - 1) ||p||_2 / max p over the evaluation proportions p
     * (k values, any scale); NaN for k &lt; 2 or p all 0.
     *
     * <p>If G were diagonal with equal entries, G p / ||G p|| = p / ||p||:
     * the evaluation set's largest cluster gets logit lambda c with
     * c = max p / ||p||, every other at most 0, so it holds a majority of p'
     * once lambda c &gt; ln(k - 1). Then a round draws most of its sequences
     * from it, its G p has fewer entries, and the next p' is more
     * concentrated still. On skewed evaluation sets every run above lambda*
     * has put the mixture on one domain and no run below lambda* / 2 has
     * (docs/scaling/training-vs-k.md, "Lambda = 0.7 lambda* on fresh seeds");
     * a real G is not diagonal, so between the two some cells locked every run.
     */
    public static double lambdaStar(float[] evalProportions) {
        double max = 0, squares = 0;
        for (float v : evalProportions) {
            max = Math.max(max, v);
            squares += (double) v * v;
        }
        int k = evalProportions.length;
        return k < 2 || max == 0 ? Double.NaN : Math.log(k - 1) * Math.sqrt(squares) / max;
    }

    /**
     * min(1.5 ln k, lambda* / 2) for the evaluation proportions p (k values);
     * 1.5 ln k where lambda* is NaN (p all 0), 0 for one domain (p' is 1
     * whatever lambda is).
     *
     * <p>Why both: at k = 512 and 2048 the paper's rule keeps p' within
     * rounding of uniform, while 1.5 ln k beat Stratified on every skewed
     * evaluation set tested and put no run on one domain, in distribution
     * either (docs/scaling/training-vs-k.md, "A lambda rule tested in
     * advance"); on a concentrated evaluation set 1.5 ln k can pass lambda*
     * (one cluster holding all of p: lambda* = ln(k - 1)), and below
     * lambda* / 2 no skewed run has locked. In distribution lambda* / 2 alone
     * is no guide (runs locked at a quarter of lambda*), so 1.5 ln k caps it.
     * Tested as one setting on fresh seeds at k = 16 to 4096: below
     * Stratified on 10 of 11 skewed sets, no cell worse, no run locked
     * (docs/scaling/training-vs-k.md, "`rnb:lambda=auto` = min(1.5 ln k, lambda* / 2) on fresh seeds").
     */
    public static float auto(float[] evalProportions) {
        int k = evalProportions.length;
        if (k < 2) return 0f;
        double byK = byK(k), star = lambdaStar(evalProportions);
        double lambda = Double.isNaN(star) ? byK : Math.min(byK, star / 2);
        float rounded = (float) lambda;
        return rounded > lambda ? Math.nextDown(rounded) : rounded; // never above either bound, as a float either
    }

    /** What {@link #auto} took its value from, for a run's log: "min(1.5 ln k = 9.36, lambda* / 2 = 16.50)". */
    public static String describeAuto(float[] evalProportions) {
        return String.format(java.util.Locale.ROOT, "min(%.1f ln k = %.2f, lambda* / 2 = %.2f)",
                PER_LN_K, byK(evalProportions.length), lambdaStar(evalProportions) / 2);
    }

    /** auto's bound from the number of domains alone: 1.5 ln k. */
    private static double byK(int k) {
        return PER_LN_K * Math.log(k);
    }
}
