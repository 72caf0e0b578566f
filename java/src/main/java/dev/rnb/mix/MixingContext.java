package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.data.ByteDataset;
import dev.rnb.model.GptConfig;
import dev.rnb.train.TrainOptions;

/**
 * What a strategy is built from: the backend, the training and evaluation sets (same domains), the model and run,
 * and where the domains came from Regroup, their centroids (else null).
 */
public record MixingContext(Backend backend, ByteDataset train, ByteDataset eval, GptConfig config, TrainOptions options,
                            MixOptions mix, DomainCentroids centroids) {
    public MixingContext(Backend backend, ByteDataset train, ByteDataset eval, GptConfig config, TrainOptions options,
                         MixOptions mix) {
        this(backend, train, eval, config, options, mix, null);
    }

    public MixingContext {
        if (train.domains() != eval.domains()) {
            throw new IllegalArgumentException("training set has " + train.domains() + " domains, evaluation set " + eval.domains());
        }
        if (centroids != null && centroids.domains() != train.domains()) {
            throw new IllegalArgumentException(centroids.domains() + " centroids for " + train.domains() + " domains");
        }
    }

    int domains() { return train.domains(); }

    MixingContext with(MixOptions m) { return new MixingContext(backend, train, eval, config, options, m, centroids); }

    /** Tokens of one training batch. */
    long batchTokens() { return (long) options.batch() * config.context(); }

    /** Uniform over the training domains that have examples. */
    float[] stratified() {
        int k = domains(), present = 0;
        for (int d = 0; d < k; d++) if (train.countOf(d) > 0) present++;
        float[] p = new float[k];
        for (int d = 0; d < k; d++) p[d] = train.countOf(d) > 0 ? 1f / present : 0f;
        return p;
    }
}
