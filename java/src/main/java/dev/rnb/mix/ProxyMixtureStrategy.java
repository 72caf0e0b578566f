package dev.rnb.mix;

import dev.rnb.data.DomainProportions;
import dev.rnb.model.ParameterLayout;
import dev.rnb.train.Trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A method that learns one mixture with small proxy models ({@link ProxyRun})
 * before the main run and keeps it for the whole run (DoReMi, DoGE): the
 * proxies run once, in {@link #begin} (not again when restored from a
 * checkpoint); the paper's cost model sets their counted flops against the
 * main model's 6 N per training token; the state is whether they have run.
 */
abstract class ProxyMixtureStrategy extends AbstractStrategy {
    protected final MixingContext ctx;
    protected final ProxyRun proxy;
    private final double mainParameters;
    private boolean learned;

    ProxyMixtureStrategy(String name, MixingContext ctx, long proxySeedSalt) {
        super(name, ctx.stratified());
        this.ctx = ctx;
        this.proxy = new ProxyRun(ctx, proxySeedSalt);
        this.mainParameters = new ParameterLayout(ctx.config()).size();
    }

    /** Trains the proxies from the initial proportions (adding their flops) and returns the mixture of the main run. */
    protected abstract float[] learn(float[] initial);

    /** The proxies' flops that the paper's cost model counts. */
    protected abstract double costModelFlops();

    @Override
    public final double costModelRatio(double trainingTokens) {
        return learned ? costModelFlops() / (6 * mainParameters * trainingTokens) : 0;
    }

    @Override
    protected final void doBegin(Trainer trainer) {
        if (learned) return; // restored from a checkpoint
        current = DomainProportions.dense(learn(proportions()));
        learned = true;
        trainer.setProportions(current);
    }

    /** The learned weights, for the log; "" before they are learned. */
    @Override
    public final String summary() {
        if (!learned) return "";
        StringBuilder s = new StringBuilder("learned domain weights, fixed for the main run:");
        for (float x : proportions()) s.append(String.format(java.util.Locale.ROOT, " %.3f", x));
        return s.toString();
    }

    @Override
    protected final float[] doEndOfStep(int step, Trainer trainer) {
        return null;
    }

    @Override
    protected void writeOwn(DataOutputStream out) throws IOException {
        out.writeBoolean(learned);
    }

    @Override
    protected RestoredState readOwn(DataInputStream in) throws IOException {
        boolean restoredLearned = in.readBoolean();
        return () -> learned = restoredLearned;
    }
}
