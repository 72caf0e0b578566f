package dev.rnb.mix;

import dev.rnb.train.Trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * DoGE (Fan, Pagliardini, Jaggi 2023, arXiv 2310.15393), its out-of-domain
 * form (the target is the evaluation mixture), before the main run
 * ({@link #begin}): a small proxy ({@link ProxyRun}) trained while its domain
 * weights follow the gradient alignment: every proxy step, the full-model
 * gradient of one batch per domain and of one evaluation batch (drawn with the
 * evaluation proportions), W_i = &lt;grad l_i, grad l_eval&gt;,
 * alpha_t proportional to alpha_{t-1} exp(eta W / mu), and a proxy step on a
 * batch sampled with alpha_t (in expectation the paper's sum_i alpha_i grad
 * l_i). The main run trains on the average of alpha over the proxy's steps,
 * fixed. eta / mu = 1 here (the paper's values are tied to its scale).
 *
 * <p>Extra cost, counted: per proxy step (m + 2) forward + backward passes of
 * the proxy and m dot products; the paper's cost model counts the (m + 1)
 * gradients and the proxy step per proxy step.
 */
public final class DogeStrategy extends ProxyMixtureStrategy {
    static final double ETA_OVER_MU = 1.0;

    private final DomainBatches batches;
    private final DomainBatches evalBatches;

    DogeStrategy(MixingContext ctx) {
        super("doge", ctx, 0xD06EL);
        this.batches = new DomainBatches(ctx.train(), ctx.options().batch(), ctx.config().context(), ctx.mix().seed() ^ 0xD06E1L);
        this.evalBatches = new DomainBatches(ctx.eval(), ctx.options().batch(), ctx.config().context(), ctx.mix().seed() ^ 0xD06E2L);
    }

    @Override
    protected double costModelFlops() {
        return proxy.steps() * (domains() + 2) * proxy.stepFlops();
    }

    @Override
    protected float[] learn(float[] initial) {
        int k = initial.length;
        float[] evalMix = ctx.eval().proportions();
        try (Trainer p = proxy.trainer(ctx, 3)) {
            float[] alpha = initial.clone();
            double[] mean = new double[k];
            for (int s = 0; s < proxy.steps(); s++) {
                float[] target = p.gradientOn(evalBatches.mixed(evalMix));
                flops += proxy.stepFlops();
                double[] w = new double[k];
                for (int d = 0; d < k; d++) {
                    if (!batches.has(d)) continue;
                    float[] g = p.gradientOn(batches.of(d));
                    double dot = 0;
                    for (int x = 0; x < g.length; x++) dot += (double) g[x] * target[x];
                    w[d] = dot;
                    flops += proxy.stepFlops() + 2.0 * g.length;
                }
                alpha = update(alpha, w, ETA_OVER_MU);
                p.setProportions(alpha);
                p.trainStep();
                flops += proxy.stepFlops();
                for (int d = 0; d < k; d++) mean[d] += (double) alpha[d] / proxy.steps();
            }
            float[] out = new float[k];
            for (int d = 0; d < k; d++) out[d] = (float) mean[d];
            return out;
        }
    }

    /** alpha_i proportional to prev_i exp(etaOverMu W_i). */
    static float[] update(float[] prev, double[] w, double etaOverMu) {
        return exponentiate(prev, w, etaOverMu);
    }

    @Override
    protected void writeOwn(DataOutputStream out) throws IOException {
        super.writeOwn(out);
        out.writeLong(batches.state());
        out.writeLong(evalBatches.state());
    }

    @Override
    protected RestoredState readOwn(DataInputStream in) throws IOException {
        RestoredState inherited = super.readOwn(in);
        long batchesState = in.readLong(), evalState = in.readLong();
        return () -> {
            inherited.apply();
            batches.setState(batchesState);
            evalBatches.setState(evalState);
        };
    }
}
