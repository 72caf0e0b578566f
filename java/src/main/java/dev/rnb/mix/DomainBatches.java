package dev.rnb.mix;

import dev.rnb.data.Batch;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.MixtureSampler;

/** A strategy's own sampler of extra batches drawn from one domain at a time (seeded; its state is checkpointed). */
final class DomainBatches {
    private final MixtureSampler sampler;
    private final ByteDataset data;

    DomainBatches(ByteDataset data, int batch, int context, long seed) {
        this.data = data;
        this.sampler = new MixtureSampler(data, batch, context, seed);
    }

    boolean has(int domain) { return data.countOf(domain) > 0; }

    Batch of(int domain) {
        float[] p = new float[data.domains()];
        p[domain] = 1f;
        sampler.setProportions(p);
        return sampler.next();
    }

    /** A batch drawn with the given proportions (e.g. the evaluation mixture). */
    Batch mixed(float[] p) {
        sampler.setProportions(p);
        return sampler.next();
    }

    long state() { return sampler.rngState(); }

    void setState(long s) { sampler.setRngState(s); }
}
