package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.regroup.KMeans;

import java.util.Locale;

/**
 * The groups of R&amp;B's hierarchical mixture ({@code rnb:hier=G},
 * {@link dev.rnb.balance.HierarchicalUpdate}): k-means with G clusters over
 * the k domains' Regroup centroids, i.e. clusters of clusters in the same
 * embedding space Regroup used. The centroids exist for every domain before
 * training starts and cost O(k G dims) per pass to cluster, where per-domain
 * gradients would exist only for the domains a round touched (at large k,
 * a few percent of them).
 *
 * <p>A grouping without centroids (the original domains, {@code --domains-from}
 * a file, or a folder without centroids.npy) has no position for its domains; its groups are then contiguous blocks of
 * domain ids, and the note says so.
 *
 * @param groupOf each domain's group, 0 .. G-1, none empty
 * @param note    how the groups were made, for the run's log
 */
record DomainHierarchy(int[] groupOf, String note) {

    /** G from the spec: {@code hier=G} (at most k) or {@code hier=sqrt}: round(sqrt(k)). */
    static int groups(int spec, int k) {
        int g = spec == MixOptions.HIER_SQRT ? (int) Math.round(Math.sqrt(k)) : spec;
        return Math.max(1, Math.min(g, k));
    }

    static DomainHierarchy of(MixingContext ctx) {
        int k = ctx.domains();
        int g = groups(ctx.mix().hier(), k);
        DomainCentroids c = ctx.centroids();
        if (c == null) {
            int[] groupOf = new int[k];
            for (int i = 0; i < k; i++) groupOf[i] = (int) ((long) i * g / k);
            return new DomainHierarchy(groupOf, String.format(Locale.ROOT,
                    "hier: %d groups of %d domains; no Regroup centroids for this grouping, so groups are contiguous blocks of domain ids", g, k));
        }
        return clustered(ctx.backend(), c, g, ctx.mix().seed());
    }

    /** k-means (k-means++, 3 restarts) over the centroids; labels compacted so that no group is empty. */
    static DomainHierarchy clustered(Backend backend, DomainCentroids c, int g, long seed) {
        int k = c.domains();
        KMeans.Result fit = KMeans.fit(backend, c.values(), k, c.dims(), KMeans.Options.of(g, seed).restarts(3));
        int[] label = new int[fit.k()];
        java.util.Arrays.fill(label, -1);
        int used = 0;
        int[] groupOf = new int[k];
        for (int i = 0; i < k; i++) {
            int a = fit.assignments()[i];
            if (label[a] < 0) label[a] = used++;
            groupOf[i] = label[a];
        }
        return new DomainHierarchy(groupOf, String.format(Locale.ROOT,
                "hier: %d groups of %d domains by k-means over the Regroup centroids", used, k));
    }
}
