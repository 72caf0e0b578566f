package dev.rnb.balance;

import dev.rnb.backend.BalanceStep;
import dev.rnb.data.DomainProportions;

/**
 * The paper's update p' = softmax(lambda G p / ||G p||) when only the touched
 * domains have a G p entry and every absent domain has logit 0: the k - t
 * absent domains share one logit, so the norm, the maximum and the softmax's
 * sum need only the t touched entries plus that count. O(t) arithmetic, and
 * p' comes out sparse: t values plus the absent domains' shared one
 * ({@link DomainProportions#sparse}), where the dense update
 * ({@code Backend.balanceUpdate}) takes k-float copies in and out and k
 * exponentials. The same float steps as
 * the cpu kernel (native/balance_round.cpp): logits lambda / ||G p|| x (G p)_i
 * in float, the sum in double (its exp is a float polynomial, relative error
 * about 1e-7, where this is Math.exp); the degenerate rounds keep the current
 * proportions with the dense update's status.
 */
final class TouchedSoftmax {
    private TouchedSoftmax() {}

    /** p' (or the kept proportions) and whether the round updated them. */
    record Step(DomainProportions next, BalanceStep.Status status) {}

    /**
     * @param k       the number of domains
     * @param touched the round's touched domains, distinct
     * @param gp      (G p)_i of each touched domain, in the same order
     * @param current the proportions kept when the round is skipped (k domains)
     */
    static Step update(int k, int[] touched, float[] gp, float lambda, DomainProportions current) {
        if (touched.length == 0) {
            return new Step(current, BalanceStep.Status.SKIPPED_NO_DOMAIN);
        }
        double sumSquares = 0;
        for (float v : gp) {
            if (!Float.isFinite(v)) {
                return new Step(current, BalanceStep.Status.SKIPPED_NON_FINITE);
            }
            sumSquares += (double) v * v;
        }
        if (sumSquares == 0) {
            return new Step(current, BalanceStep.Status.SKIPPED_ZERO_NORM);
        }
        float factor = (float) (lambda / Math.sqrt(sumSquares));
        int absent = k - touched.length;
        float max = absent > 0 ? 0f : Float.NEGATIVE_INFINITY;
        float[] e = new float[touched.length];
        for (int s = 0; s < e.length; s++) {
            e[s] = factor * gp[s];
            max = Math.max(max, e[s]);
        }
        double total = 0;
        for (int s = 0; s < e.length; s++) {
            e[s] = (float) Math.exp(e[s] - max);
            total += e[s];
        }
        float absentE = (float) Math.exp(-max);
        total += (double) absent * absentE;
        float inverse = (float) (1.0 / total);
        for (int s = 0; s < e.length; s++) e[s] *= inverse;
        return new Step(DomainProportions.sparse(k, touched, e, absent > 0 ? absentE * inverse : 0f), BalanceStep.Status.UPDATED);
    }
}
