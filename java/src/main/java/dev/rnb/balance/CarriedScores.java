package dev.rnb.balance;

import dev.rnb.backend.BalanceStep;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.MixtureSampler;

import java.util.Arrays;

/**
 * R&amp;B's update with absent domains scored by what they last showed
 * (beyond the paper, {@link RnbBalancer.Builder#carryAbsent}): a domain
 * present this round gets logit lambda s_i with s_i = (G p)_i / ||G p|| (the
 * paper's rule), and its average m_i = keep m_i + (1 - keep) s_i (s_i itself
 * the first time); an absent domain gets lambda m_i, or 0 if never seen.
 * With many domains and few rows per round most domains are absent, and the
 * paper's logit 0 pulls each of them back towards the middle every round
 * they miss.
 *
 * <p>Every domain never seen shares logit 0, so from
 * {@link MixtureSampler#SPARSE_MIN_DOMAINS} domains on p' comes out sparse
 * (the seen domains' values plus the unseen ones' shared value, as
 * {@link TouchedSoftmax} does for the paper's rule) and a round costs
 * O(seen + t log t), not O(k): at 10^6 domains and 320 touched a round, a
 * run of a few hundred rounds never makes a k-float array. Below that the
 * dense form of every earlier run is kept, bit for bit (its softmax sums over
 * all k in domain order; the sparse one sums the seen domains in domain
 * order, then the unseen ones' share, so the two differ in the last bits).
 */
final class CarriedScores {
    private final float keep;
    private final double[] average;
    private final boolean[] seen;
    private final boolean sparse;
    /** Sparse form: the domains seen so far, increasing (the order of a restore too, so a resumed run sums alike). */
    private int[] seenDomains = new int[0];

    CarriedScores(int domains, float keep) {
        this.keep = keep;
        this.average = new double[domains];
        this.seen = new boolean[domains];
        this.sparse = domains >= MixtureSampler.SPARSE_MIN_DOMAINS;
    }

    /**
     * @param touched the round's present domains, distinct
     * @param gp      (G p)_i of each present domain, in the same order
     * @param current the proportions kept when the round is skipped
     */
    TouchedSoftmax.Step update(int[] touched, float[] gp, float lambda, DomainProportions current) {
        if (touched.length == 0) {
            return new TouchedSoftmax.Step(current, BalanceStep.Status.SKIPPED_NO_DOMAIN);
        }
        double norm2 = 0;
        for (float v : gp) {
            if (!Float.isFinite(v)) {
                return new TouchedSoftmax.Step(current, BalanceStep.Status.SKIPPED_NON_FINITE);
            }
            norm2 += (double) v * v;
        }
        if (norm2 == 0) {
            return new TouchedSoftmax.Step(current, BalanceStep.Status.SKIPPED_ZERO_NORM);
        }
        double norm = Math.sqrt(norm2);
        DomainProportions next = sparse ? sparseUpdate(touched, gp, norm, lambda) : denseUpdate(touched, gp, norm, lambda);
        return new TouchedSoftmax.Step(next, BalanceStep.Status.UPDATED);
    }

    /** Every k logit, then the softmax over all k in domain order. */
    private DomainProportions denseUpdate(int[] touched, float[] gp, double norm, float lambda) {
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
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logit) max = Math.max(max, l);
        double total = 0;
        for (int i = 0; i < k; i++) {
            logit[i] = Math.exp(logit[i] - max);
            total += logit[i];
        }
        float[] p = new float[k];
        for (int i = 0; i < k; i++) p[i] = (float) (logit[i] / total);
        return DomainProportions.dense(p);
    }

    /**
     * The seen domains merged with the round's touched ones (both increasing),
     * each with its logit; the never-seen ones share logit 0.
     */
    private DomainProportions sparseUpdate(int[] touched, float[] gp, double norm, float lambda) {
        int t = touched.length;
        long[] byDomain = new long[t]; // domain << 32 | its index in touched
        for (int s = 0; s < t; s++) byDomain[s] = (long) touched[s] << 32 | s;
        Arrays.sort(byDomain);
        int[] merged = new int[seenDomains.length + t];
        double[] logit = new double[merged.length];
        int n = 0, a = 0, b = 0;
        while (a < seenDomains.length || b < t) {
            int fromSeen = a < seenDomains.length ? seenDomains[a] : Integer.MAX_VALUE;
            int fromTouched = b < t ? (int) (byDomain[b] >>> 32) : Integer.MAX_VALUE;
            if (fromTouched <= fromSeen) {
                int i = fromTouched;
                double score = gp[(int) byDomain[b++]] / norm;
                average[i] = seen[i] ? keep * average[i] + (1 - keep) * score : score;
                seen[i] = true;
                logit[n] = lambda * score;
                if (fromSeen == fromTouched) a++;
            } else {
                logit[n] = lambda * average[fromSeen];
                a++;
            }
            merged[n++] = Math.min(fromSeen, fromTouched);
        }
        seenDomains = Arrays.copyOf(merged, n);
        long unseen = (long) average.length - n;
        double max = unseen > 0 ? 0 : Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, logit[j]);
        double total = 0;
        for (int j = 0; j < n; j++) {
            logit[j] = Math.exp(logit[j] - max);
            total += logit[j];
        }
        double unseenE = Math.exp(-max);
        total += unseen * unseenE;
        float[] values = new float[n];
        for (int j = 0; j < n; j++) values[j] = (float) (logit[j] / total);
        return DomainProportions.sparse(average.length, seenDomains, values, unseen > 0 ? (float) (unseenE / total) : 0f);
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
        int n = 0;
        for (int i = 0; i < state.length; i++) {
            seen[i] = !Double.isNaN(state[i]);
            average[i] = seen[i] ? state[i] : 0;
            if (seen[i]) n++;
        }
        if (sparse) {
            seenDomains = new int[n];
            for (int i = 0, j = 0; i < state.length; i++) if (seen[i]) seenDomains[j++] = i;
        }
    }
}
