package dev.rnb.mix;

import dev.rnb.data.Batch;
import dev.rnb.train.Trainer;

/**
 * DoReMi (Xie et al. 2023, arXiv 2305.10429, Algorithm 1), before the main
 * run ({@link #begin}): a small reference model trained on the initial
 * (Stratified) mixture; then a proxy of the same size trained with Group DRO:
 * every step, on a batch sampled with the initial mixture, the per-domain
 * excess loss lambda_i = mean over domain i's tokens of max(l_proxy -
 * l_ref, 0), alpha' = alpha exp(eta lambda), alpha = (1 - c) alpha' / sum
 * alpha' + c u, and a proxy step on the loss weighted by alpha (each row's
 * loss weights scaled by k alpha_d, the paper's objective sum_i alpha_i L_i);
 * the main run then trains on the average of alpha over the proxy's steps,
 * fixed. eta = 1 and c = 1e-3 as in the paper; domains absent from a batch get
 * lambda_i = 0. Models: {@link ProxyRun}.
 *
 * <p>Extra cost, counted: reference and proxy training (2 S_p 6 N_p B T) and
 * the reference's forward on each proxy batch (S_p 2 N_p B T); the paper's
 * cost model counts the two small training runs.
 */
public final class DoremiStrategy extends ProxyMixtureStrategy {
    static final double ETA = 1.0, SMOOTHING = 1e-3;

    DoremiStrategy(MixingContext ctx) {
        super("doremi", ctx, 0xD0E3L);
    }

    @Override
    protected double costModelFlops() {
        return 2 * proxy.steps() * proxy.stepFlops();
    }

    @Override
    protected float[] learn(float[] initial) {
        int k = initial.length;
        try (Trainer ref = proxy.trainer(ctx, 1); Trainer dro = proxy.trainer(ctx, 2)) {
            ref.setProportions(initial);
            for (int s = 0; s < proxy.steps(); s++) ref.trainStep();
            flops += proxy.steps() * proxy.stepFlops();
            double[] alpha = new double[k], mean = new double[k];
            for (int d = 0; d < k; d++) alpha[d] = initial[d];
            dro.setProportions(initial);
            for (int s = 0; s < proxy.steps(); s++) {
                Batch batch = dro.sampler().next();
                float[] refLoss = ref.tokenLosses(batch);
                float[] proxyLoss = dro.tokenLosses(batch);
                flops += 2 * proxy.forwardFlops();
                alpha = update(alpha, excessLoss(batch, proxyLoss, refLoss, k), ETA, SMOOTHING);
                dro.trainStep(weighted(batch, alpha));
                flops += proxy.stepFlops();
                for (int d = 0; d < k; d++) mean[d] += alpha[d] / proxy.steps();
            }
            float[] p = new float[k];
            for (int d = 0; d < k; d++) p[d] = initial[d] > 0 ? (float) mean[d] : 0f;
            return p;
        }
    }

    /** lambda_i: mean over domain i's predicted positions of max(proxy - reference, 0); 0 for a domain absent from the batch. */
    static double[] excessLoss(Batch batch, float[] proxy, float[] reference, int k) {
        double[] sum = new double[k];
        long[] n = new long[k];
        for (int i = 0; i < proxy.length; i++) {
            if (batch.weights()[i] == 0f) continue;
            int d = batch.domainOfRow()[i];
            sum[d] += Math.max(proxy[i] - reference[i], 0);
            n[d]++;
        }
        for (int d = 0; d < k; d++) sum[d] = n[d] == 0 ? 0 : sum[d] / n[d];
        return sum;
    }

    /** alpha' = alpha exp(eta lambda); (1 - c) alpha' / sum + c / k over the domains with alpha &gt; 0 (the others stay 0). */
    static double[] update(double[] alpha, double[] lambda, double eta, double c) {
        int k = alpha.length, live = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int d = 0; d < k; d++) {
            if (alpha[d] > 0) {
                live++;
                max = Math.max(max, eta * lambda[d]);
            }
        }
        double[] next = new double[k];
        double sum = 0;
        for (int d = 0; d < k; d++) {
            if (alpha[d] > 0) sum += next[d] = alpha[d] * Math.exp(eta * lambda[d] - max);
        }
        for (int d = 0; d < k; d++) if (alpha[d] > 0) next[d] = (1 - c) * next[d] / sum + c / live;
        return next;
    }

    /** The batch with each position's loss weight scaled by k alpha_d (the Group DRO objective sum_i alpha_i L_i). */
    static Batch weighted(Batch b, double[] alpha) {
        float[] w = b.weights().clone();
        for (int i = 0; i < w.length; i++) w[i] *= (float) (alpha.length * alpha[b.domainOfRow()[i]]);
        return new Batch(b.batch(), b.T(), b.tokens(), b.targets(), w, b.domainOfRow(), b.domainOfSequence(), b.validTargets());
    }
}
