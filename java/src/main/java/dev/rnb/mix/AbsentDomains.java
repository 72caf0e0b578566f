package dev.rnb.mix;

/**
 * What R&amp;B does about domains a round does not touch, which at large k is
 * most of them (a round of K steps of B sequences touches at most K B
 * domains). Setting {@code absent} of an R&amp;B method spec, e.g.
 * {@code rnb:absent=carry}; docs/scaling/training-vs-k.md compares them.
 */
public enum AbsentDomains {
    /** The paper's rule: an absent domain gets logit 0. */
    ZERO("zero"),
    /**
     * Beyond the paper: an absent domain gets lambda times a moving average of its
     * past normalised scores (G p)_i / ||G p|| (the average's weight on its previous
     * value is the method's {@code ema}, default 0.5); 0 until first seen.
     */
    CARRY("carry"),
    /**
     * Beyond the paper: logit 0, but a round lasts max(K, ceil(k / B)) steps
     * (B sequences per step), so a round draws at least k sequences and, under
     * the uniform mixture, touches about 1 - 1/e of the domains.
     */
    GROW("grow");

    /** The moving average's weight on its previous value when {@code ema} is not given. */
    static final double DEFAULT_KEEP = 0.5;

    private final String key;

    AbsentDomains(String key) {
        this.key = key;
    }

    public String key() { return key; }

    static AbsentDomains parse(String value) {
        for (AbsentDomains a : values()) {
            if (a.key.equals(value)) return a;
        }
        throw new IllegalArgumentException("absent must be zero, carry or grow, got '" + value + "'");
    }

    /** Steps per round: K, or for {@link #GROW} max(K, ceil(k / sequencesPerStep)). */
    int stepsPerRound(int k, int stepsPerRound, int sequencesPerStep) {
        if (this != GROW) return stepsPerRound;
        return Math.max(stepsPerRound, (k + sequencesPerStep - 1) / sequencesPerStep);
    }
}
