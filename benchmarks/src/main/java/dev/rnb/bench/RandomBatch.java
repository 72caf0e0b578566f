package dev.rnb.bench;

import dev.rnb.model.Gpt;
import dev.rnb.model.GptConfig;

import java.util.Arrays;
import java.util.SplittableRandom;

/** The step benchmarks' input: a full batch of uniformly random byte tokens and targets, every position weighted alike. */
final class RandomBatch {
    private RandomBatch() {}

    static void set(Gpt model, long seed) {
        int T = model.config().context(), n = model.batch() * T;
        SplittableRandom random = new SplittableRandom(seed);
        float[] tokens = new float[n], targets = new float[n], weights = new float[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = random.nextInt(GptConfig.VOCAB);
            targets[i] = random.nextInt(GptConfig.VOCAB);
        }
        Arrays.fill(weights, 1f / n);
        model.setBatch(tokens, targets, weights, T);
    }
}
