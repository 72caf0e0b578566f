package dev.rnb.mix;

import dev.rnb.train.Trainer;

/** A fixed mixture: Stratified (uniform over domains) or Natural (by domain size). No extra work. */
public final class StaticStrategy extends AbstractStrategy {
    public StaticStrategy(String name, float[] proportions) {
        super(name, proportions);
    }

    @Override
    public double costModelRatio(double trainingTokens) {
        return 0;
    }

    @Override
    protected float[] doEndOfStep(int step, Trainer trainer) {
        return null;
    }
}
