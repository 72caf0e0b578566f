package dev.rnb.mix;

import dev.rnb.train.Trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * DGA, Dynamic Gradient Alignment (Fan, Grangier, Ablin 2024, arXiv
 * 2410.02498). At the end of every round, from the current model: the
 * full-model gradient of one extra batch per domain and of one evaluation
 * batch (drawn with the evaluation proportions), the exponentiated-gradient
 * step p^_i proportional to p_i exp(eta &lt;grad l_i, grad l_eval&gt;), and the
 * paper's optional EMA of the weights, p_next = (1 - ema) p^ + ema p
 * (ema = 0, the default here, is the plain update).
 *
 * <p>Extra cost per round: (m + 1) forward + backward passes of one batch
 * and m inner products of N floats.
 */
public final class DgaStrategy extends AbstractStrategy {
    static final double DEFAULT_ETA = 0.5;

    private final DomainBatches batches;
    private final DomainBatches evalBatches;
    private final float[] evalProportions;
    private final int stepsPerRound;
    private final double eta;
    private final double ema;
    private final double stepFlops;
    private final double batchTokens;
    private int rounds;

    DgaStrategy(MixingContext ctx) {
        super("dga", ctx.stratified());
        MixOptions m = ctx.mix();
        this.batches = new DomainBatches(ctx.train(), ctx.options().batch(), ctx.config().context(), m.seed() ^ 0xD6A1L);
        this.evalBatches = new DomainBatches(ctx.eval(), ctx.options().batch(), ctx.config().context(), m.seed() ^ 0xD6A2L);
        this.evalProportions = ctx.eval().proportions();
        this.stepsPerRound = m.stepsPerRound();
        this.eta = m.etaOr(DEFAULT_ETA);
        this.ema = m.emaOr(0);
        double n = new dev.rnb.model.ParameterLayout(ctx.config()).size();
        this.stepFlops = 6 * n * ctx.batchTokens();
        this.batchTokens = ctx.batchTokens();
    }

    /** m delta + T delta D_e / D_t with delta = the per-domain extra batches' tokens over D_t and D_e = one batch. */
    @Override
    public double costModelRatio(double trainingTokens) {
        double delta = rounds * batchTokens / trainingTokens;
        return domains() * delta + rounds * delta * batchTokens / trainingTokens;
    }

    @Override
    protected float[] doEndOfStep(int step, Trainer trainer) {
        if (step % stepsPerRound != 0) {
            return null;
        }
        rounds++;
        int k = domains();
        float[] evalGrad = trainer.gradientOn(evalBatches.mixed(evalProportions));
        flops += stepFlops;
        double[] dots = new double[k];
        for (int i = 0; i < k; i++) {
            if (!batches.has(i)) continue;
            float[] g = trainer.gradientOn(batches.of(i));
            double s = 0;
            for (int x = 0; x < g.length; x++) s += (double) g[x] * evalGrad[x];
            dots[i] = s;
            flops += stepFlops + 2.0 * g.length;
        }
        return update(proportions(), dots, eta, ema);
    }

    /** p^_i proportional to prev_i exp(eta dots_i), then (1 - ema) p^ + ema prev. */
    static float[] update(float[] prev, double[] dots, double eta, double ema) {
        float[] next = exponentiate(prev, dots, eta);
        for (int i = 0; i < next.length; i++) next[i] = (float) ((1 - ema) * next[i] + ema * prev[i]);
        return next;
    }

    @Override
    protected void writeOwn(DataOutputStream out) throws IOException {
        out.writeLong(batches.state());
        out.writeLong(evalBatches.state());
        out.writeInt(rounds);
    }

    @Override
    protected RestoredState readOwn(DataInputStream in) throws IOException {
        long batchesState = in.readLong(), evalState = in.readLong();
        int restoredRounds = in.readInt();
        return () -> {
            batches.setState(batchesState);
            evalBatches.setState(evalState);
            rounds = restoredRounds;
        };
    }
}
