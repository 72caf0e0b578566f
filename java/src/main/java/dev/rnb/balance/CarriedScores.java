package dev.rnb.balance;

import dev.rnb.backend.BalanceStep;

/**
 * R&amp;B's update with absent domains scored by what they last showed
 * (beyond the paper, {@link RnbBalancer.Builder#carryAbsent}): a domain
 * present this round gets logit lambda s_i with s_i = (G p)_i / ||G p|| (the
 * paper's rule), and its average m_i = keep m_i + (1 - keep) s_i (s_i itself
 * the first time); an absent domain gets lambda m_i, or 0 if never seen.
 * With many domains and few rows per round most domains are absent, and the
 * paper's logit 0 pulls each of them back towards the middle every round
 * they miss.
 */
final class CarriedScores {
    private final float keep;
    private final double[] average;
    private final boolean[] seen;

    CarriedScores(int domains, float keep) {
        this.keep = keep;
        this.average = new double[domains];
        this.seen = new boolean[domains];
    }

    /**
     * @param touched the round's present domains
     * @param gp      (G p)_i of each present domain, in the same order
     * @param current the proportions kept when the round is skipped
     */
    BalanceStep update(int[] touched, float[] gp, float lambda, float[] current) {
        if (touched.length == 0) {
            return new BalanceStep(current.clone(), BalanceStep.Status.SKIPPED_NO_DOMAIN);
        }
        double norm2 = 0;
        for (float v : gp) {
            if (!Float.isFinite(v)) {
                return new BalanceStep(current.clone(), BalanceStep.Status.SKIPPED_NON_FINITE);
            }
            norm2 += (double) v * v;
        }
        if (norm2 == 0) {
            return new BalanceStep(current.clone(), BalanceStep.Status.SKIPPED_ZERO_NORM);
        }
        double norm = Math.sqrt(norm2);
        int k = average.length;
        double[] logit = new double[k];
        for (int i = 0; i < k; i++) {
            logit[i] = seen[i] ? lambda * average[i] : 0;
        }
        for (int s = 0; s < touched.length; s++) {
            int i = touched[s];
            double score = gp[s] / norm;
            average[i] = seen[i] ? keep * average[i] + (1 - keep) * score : score;
            seen[i] = true;
            logit[i] = lambda * score;
        }
        return new BalanceStep(softmax(logit), BalanceStep.Status.UPDATED);
    }

    /** Each domain's average, NaN for a domain never seen (for a checkpoint). */
    double[] state() {
        double[] s = average.clone();
        for (int i = 0; i < s.length; i++) if (!seen[i]) s[i] = Double.NaN;
        return s;
    }

    void restore(double[] state) {
        if (state.length != average.length) {
            throw new IllegalArgumentException("expected " + average.length + " carried scores, got " + state.length);
        }
        for (int i = 0; i < state.length; i++) {
            seen[i] = !Double.isNaN(state[i]);
            average[i] = seen[i] ? state[i] : 0;
        }
    }

    private static float[] softmax(double[] logit) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logit) max = Math.max(max, l);
        double total = 0;
        for (int i = 0; i < logit.length; i++) {
            logit[i] = Math.exp(logit[i] - max);
            total += logit[i];
        }
        float[] p = new float[logit.length];
        for (int i = 0; i < p.length; i++) p[i] = (float) (logit[i] / total);
        return p;
    }
}
