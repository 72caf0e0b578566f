package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.regroup.KMeans;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The groups of R&amp;B's hierarchical mixture ({@code rnb:hier=G} or
 * {@code rnb:hier=G1/G2/...}, {@link dev.rnb.balance.HierarchicalUpdate}):
 * top down, k-means with G1 clusters over the k domains' Regroup centroids,
 * then k-means with G2 clusters over each group's members' centroids, and so
 * on (a group of at most G members is split into one group per member), i.e.
 * clusters of clusters in the same embedding space Regroup used. The
 * centroids exist for every domain before training starts and cost
 * O(k G dims) per pass and level to cluster, where per-domain gradients would
 * exist only for the domains a round touched (at large k, a few percent of
 * them).
 *
 * <p>A grouping without centroids (the original domains, {@code --domains-from}
 * a file, or a folder without centroids.npy) has no position for its domains;
 * its groups are then contiguous blocks of domain ids at every level, and the
 * note says so.
 *
 * @param parents finest level first, as {@link dev.rnb.balance.HierarchicalUpdate} takes them: parents[0][i]
 *                domain i's finest group, parents[j][a] the level-j group of level j - 1's group a
 * @param note    how the groups were made, for the run's log
 */
record DomainHierarchy(int[][] parents, String note) {

    /** Groups per level, top first: {@code hier=sqrt} is round(sqrt(k)); each level at most k groups in all. */
    static int[] branching(List<Integer> spec, int k) {
        if (spec.equals(List.of(MixOptions.HIER_SQRT))) return new int[] {Math.max(1, Math.min((int) Math.round(Math.sqrt(k)), k))};
        return spec.stream().mapToInt(g -> Math.max(1, Math.min(g, k))).toArray();
    }

    static DomainHierarchy of(MixingContext ctx) {
        int k = ctx.domains();
        int[] branching = branching(ctx.mix().hier(), k);
        DomainCentroids c = ctx.centroids();
        Splitter split = c == null ? DomainHierarchy::blocks : (members, g, seed) -> kMeans(ctx.backend(), c, members, g, seed);
        int[][] parents = build(k, branching, split, ctx.mix().seed());
        String shape = shape(parents, k);
        return new DomainHierarchy(parents, c == null
                ? "hier: " + shape + "; no Regroup centroids for this grouping, so groups are contiguous blocks of domain ids"
                : "hier: " + shape + " by k-means over the Regroup centroids");
    }

    /** Splits a group's members (domain ids, ascending) into at most g groups: each member's group, 0 .. used - 1. */
    interface Splitter {
        int[] split(int[] members, int g, long seed);
    }

    /**
     * Top down: the root's k domains split into branching[0] groups, each of those into branching[1], and so on;
     * returned finest level first. The first split is seeded by {@code seed} (the two-level groups of before),
     * the others by the seed and the group's position.
     */
    static int[][] build(int k, int[] branching, Splitter split, long seed) {
        int levels = branching.length;
        List<int[]> groups = List.of(range(k)); // the current level's groups, each its members
        int[] groupOfDomain = new int[k];
        int[][] parents = new int[levels][];
        for (int level = 0; level < levels; level++) {
            List<int[]> next = new ArrayList<>();
            int[] parentOfNext = new int[k];
            for (int a = 0; a < groups.size(); a++) {
                int[] members = groups.get(a);
                int g = Math.min(branching[level], members.length);
                int[] label = g == 1 ? new int[members.length]
                        : g == members.length ? range(g)
                        : split.split(members, g, level == 0 ? seed : seed * 1_000_003L + 31L * level + a);
                int used = Arrays.stream(label).max().orElse(-1) + 1;
                List<List<Integer>> parts = new ArrayList<>();
                for (int b = 0; b < used; b++) parts.add(new ArrayList<>());
                for (int m = 0; m < members.length; m++) parts.get(label[m]).add(members[m]);
                for (List<Integer> part : parts) {
                    if (part.isEmpty()) continue;
                    parentOfNext[next.size()] = a;
                    for (int i : part) groupOfDomain[i] = next.size();
                    next.add(part.stream().mapToInt(Integer::intValue).toArray());
                }
            }
            // The level above's parent array names this level's groups' parents (the root's children have none).
            if (level > 0) parents[levels - level] = Arrays.copyOf(parentOfNext, next.size());
            groups = next;
        }
        parents[0] = groupOfDomain;
        return parents;
    }

    /** Contiguous blocks: member m of n goes to block m g / n. */
    static int[] blocks(int[] members, int g, long seed) {
        int[] label = new int[members.length];
        for (int m = 0; m < members.length; m++) label[m] = (int) ((long) m * g / members.length);
        return label;
    }

    /** k-means (k-means++, 3 restarts) over the members' centroids; labels compacted so that none is empty. */
    static int[] kMeans(Backend backend, DomainCentroids c, int[] members, int g, long seed) {
        int dims = c.dims();
        float[] x = new float[members.length * dims];
        for (int m = 0; m < members.length; m++) System.arraycopy(c.values(), members[m] * dims, x, m * dims, dims);
        KMeans.Result fit = KMeans.fit(backend, x, members.length, dims, KMeans.Options.of(g, seed).restarts(3));
        int[] compact = new int[fit.k()];
        Arrays.fill(compact, -1);
        int used = 0;
        int[] label = new int[members.length];
        for (int m = 0; m < members.length; m++) {
            int a = fit.assignments()[m];
            if (compact[a] < 0) compact[a] = used++;
            label[m] = compact[a];
        }
        return label;
    }

    /** "8 groups of 1024 domains", or "8 groups, 61 subgroups of 1024 domains" for three levels. */
    private static String shape(int[][] parents, int k) {
        StringBuilder s = new StringBuilder();
        for (int j = parents.length - 1; j >= 0; j--) {
            int groups = Arrays.stream(parents[j]).max().orElse(-1) + 1;
            s.append(String.format(Locale.ROOT, "%s%d %sgroups", j == parents.length - 1 ? "" : ", ", groups,
                    "sub".repeat(parents.length - 1 - j)));
        }
        return s.append(" of ").append(k).append(" domains").toString();
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
