package dev.rnb.mix;

import dev.rnb.train.Trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Aioli (Chen et al. 2024) as rnb-method.md restates it. At the end of every
 * round, from the current model: train briefly ({@code probeSteps} AdamW
 * steps) on each domain j in turn and record the drop of every evaluation
 * domain's loss, A[i][j] += L_i - L_i' (the model, moments and step are
 * restored after each domain); A is normalised by its largest magnitude;
 * then p_j proportional to p_j(prev) exp(eta sum_i A_ij).
 *
 * <p>Extra cost per round: m probeSteps training steps and (m + 1)
 * evaluation passes (T m D_e in the paper's model, which leaves out the
 * probe steps).
 */
public final class AioliStrategy extends AbstractStrategy {
    static final double DEFAULT_ETA = 1.0;

    private final EvalProbe probe;
    private final DomainBatches batches;
    private final int stepsPerRound;
    private final int probeSteps;
    private final double eta;
    private final double stepFlops;
    private final double evalFlops;
    private int rounds;

    AioliStrategy(MixingContext ctx) {
        super("aioli", ctx.stratified());
        MixOptions m = ctx.mix();
        this.probe = new EvalProbe(ctx.eval(), m.evalExamples(), ctx.options().batch(), ctx.config().context());
        this.batches = new DomainBatches(ctx.train(), ctx.options().batch(), ctx.config().context(), m.seed() ^ 0xA101L);
        this.stepsPerRound = m.stepsPerRound();
        this.probeSteps = m.probeSteps();
        this.eta = m.etaOr(DEFAULT_ETA);
        double n = new dev.rnb.model.ParameterLayout(ctx.config()).size();
        this.stepFlops = 6 * n * ctx.batchTokens();
        this.evalFlops = 2 * n * probe.tokens();
    }

    /** T m D_e / (3 D_t), D_e = the probe's tokens (the probe steps are not in the paper's model). */
    @Override
    public double costModelRatio(double trainingTokens) {
        return rounds * proportions.length * probe.tokens() / (3 * trainingTokens);
    }

    @Override
    protected float[] doEndOfStep(int step, Trainer trainer) {
        if (step % stepsPerRound != 0) {
            return null;
        }
        rounds++;
        int k = proportions.length;
        float[] start = trainer.snapshot();
        double[] before = probe.evaluate(trainer);
        flops += evalFlops;
        double[][] a = new double[k][k];
        for (int j = 0; j < k; j++) {
            if (!batches.has(j)) continue;
            for (int s = 0; s < probeSteps; s++) {
                trainer.probeStep(batches.of(j));
                flops += stepFlops;
            }
            double[] after = probe.evaluate(trainer);
            flops += evalFlops;
            for (int i = 0; i < k; i++) a[i][j] += before[i] - after[i];
            trainer.restoreSnapshot(start);
        }
        return update(proportions, a, eta);
    }

    /** A normalised by max |A_ij| (when nonzero), then p_j proportional to prev_j exp(eta sum_i A_ij). */
    static float[] update(float[] prev, double[][] a, double eta) {
        int k = prev.length;
        double max = 0;
        for (double[] row : a) for (double v : row) max = Math.max(max, Math.abs(v));
        double[] score = new double[k];
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < k; i++) score[j] += max > 0 ? a[i][j] / max : 0;
        }
        return exponentiate(prev, score, eta);
    }

    @Override
    protected void writeOwn(DataOutputStream out) throws IOException {
        out.writeLong(batches.state());
        out.writeInt(rounds);
    }

    @Override
    protected void readOwn(DataInputStream in) throws IOException {
        batches.setState(in.readLong());
        rounds = in.readInt();
    }
}
