package dev.rnb.mix;

/**
 * Where each domain sits in embedding space: the Regroup stage's k-means
 * centroids (k x dims, row-major), kept beside a regrouped {@link Grouping}
 * for the strategies that group domains further ({@link DomainHierarchy}).
 */
public record DomainCentroids(float[] values, int dims) {
    public DomainCentroids {
        if (dims < 1 || values.length % dims != 0) {
            throw new IllegalArgumentException(values.length + " centroid floats are not a multiple of " + dims + " dims");
        }
    }

    public int domains() { return values.length / dims; }
}
