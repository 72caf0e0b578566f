package dev.rnb.cli;

import picocli.CommandLine.Option;

/**
 * The k sweep's options, named, defaulted and described alike in
 * {@code rnb regroup} and {@code rnb-spark regroup} (a picocli mixin).
 */
public final class KSweepOptions {
    @Option(names = "--k", defaultValue = "2..16", description = "k values to sweep: a range 4..64, a list 4,8,16, or a mix (default: ${DEFAULT-VALUE})")
    String k;

    @Option(names = "--spherical", description = "Cluster by cosine (unit-length points and centroids)")
    boolean spherical;

    @Option(names = "--max-iterations", defaultValue = "100", description = "k-means iterations per k at most (default: ${DEFAULT-VALUE})")
    int maxIterations;

    @Option(names = "--restarts", defaultValue = "3", description = "Independent k-means++ seedings per k, the lowest inertia kept (default: ${DEFAULT-VALUE})")
    int restarts;

    @Option(names = "--silhouette-sample", defaultValue = "4000", description = "Silhouette on all training examples up to this many, a seeded sample beyond (default: ${DEFAULT-VALUE})")
    int silhouetteSample;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the split, the embedder's projection, the samples and k-means++ (default: ${DEFAULT-VALUE})")
    long seed;

    public String k() { return k; }

    public boolean spherical() { return spherical; }

    public int maxIterations() { return maxIterations; }

    public int restarts() { return restarts; }

    public int silhouetteSample() { return silhouetteSample; }

    public long seed() { return seed; }
}
