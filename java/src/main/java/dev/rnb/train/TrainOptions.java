package dev.rnb.train;

/**
 * Optimiser and schedule settings: AdamW (beta1, beta2, eps, weight decay on
 * weight matrices and embeddings), a learning rate warmed up linearly over
 * {@code warmupSteps} then decayed by a cosine to {@code minLrFraction * lr}
 * at {@code steps}, gradient clipping at global norm {@code gradClip}
 * (0 = off), {@code batch} sequences per step, and the seed of the
 * initialisation and of the batch sampler.
 */
public record TrainOptions(int steps, int batch, float lr, int warmupSteps, float minLrFraction, float weightDecay,
                           float beta1, float beta2, float eps, float gradClip, long seed) {
    public TrainOptions {
        if (steps < 1 || batch < 1 || warmupSteps < 0) {
            throw new IllegalArgumentException("steps and batch must be >= 1 and warmup >= 0, got " + steps + ", " + batch + ", " + warmupSteps);
        }
        if (!(lr > 0) || !(minLrFraction >= 0 && minLrFraction <= 1) || !(weightDecay >= 0) || !(gradClip >= 0)) {
            throw new IllegalArgumentException("need lr > 0, 0 <= min lr fraction <= 1, weight decay >= 0 and grad clip >= 0");
        }
    }

    /** Defaults that train the demo model: lr 3e-3, 10% warmup, cosine to 10%, decay 0.1, clip 1. */
    public static TrainOptions defaults(int steps, int batch, long seed) {
        return new TrainOptions(steps, batch, 3e-3f, Math.max(1, steps / 10), 0.1f, 0.1f, 0.9f, 0.95f, 1e-8f, 1f, seed);
    }

    /** Learning rate of step {@code step} (counted from 1). */
    public float learningRate(int step) {
        if (step <= warmupSteps) {
            return lr * step / Math.max(1, warmupSteps);
        }
        if (step >= steps) {
            return lr * minLrFraction;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return (float) (lr * (minLrFraction + (1 - minLrFraction) * cosine));
    }
}
