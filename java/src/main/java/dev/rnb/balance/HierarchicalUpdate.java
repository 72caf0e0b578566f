package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.Tensor;

import java.util.Arrays;

/**
 * R&amp;B over clusters of clusters (beyond the paper; {@code rnb:hier=G} or
 * {@code rnb:hier=G1/G2/...}): the k domains are the leaves of a tree whose
 * inner nodes are groups, and p'_i is the product, down the path from the
 * root to domain i, of each node's share within its parent. Every inner node
 * N splits its share among its children c (groups or domains) by an R&amp;B
 * update at its own level:
 *
 * <ul>
 *   <li>a child's gradient is the sum of the accumulators of the domains under
 *       it and its row count the sum of theirs, so its mean gradient is
 *       x_c = g_c / n_c; its evaluation proportion P_c is the sum of the p_i
 *       under it;</li>
 *   <li>s_c = &lt;x_c, sum_{c' in N} P_c' x_c'&gt; (G p over N's children) and
 *       P(c | N) proportional to |c| exp(lambda s_c / ||s||), |c| the number of
 *       domains under c (1 for a domain).</li>
 * </ul>
 *
 * With one level of groups ({@code hier=G}) it computes what the first,
 * two-level-only version computed, in the same order. A sole child takes
 * its parent's whole share. The factor |c| is the paper's uniform base over
 * domains carried up a level: with every logit 0 the mixture is uniform over
 * the domains, not over the groups (a first version without it gave each
 * member of a 3-domain group about 10 times the share of a member of a
 * 30-domain group, whatever their gradients: docs/SCALING.md). The norms run
 * over the touched children of each node, so the coarse levels stay sharp at
 * large k: every group is touched most rounds.
 *
 * <p>Absent children. Without carried scores, the paper's rule at each level:
 * a child none of whose domains was touched gets logit 0 (plus log |c|), an
 * inner node none of whose domains was touched splits its share uniformly over
 * its domains, and a touched inner node below the root whose G p is all 0
 * keeps its current split among its children (the paper's skipped round, one
 * level down; at the root the round is skipped). With carried scores
 * ({@code absent=carry}, beyond the paper), every node c but the root keeps
 * m_c, a moving average of its normalised score s_c / ||s|| within its
 * parent over the rounds it was touched (m_c = keep m_c + (1 - keep) s_c / ||s||,
 * its first score as is), and an absent child gets logit lambda m_c + log |c|
 * (0 + log |c| until first seen), at every level, in touched and untouched
 * nodes alike. The averages change only in rounds that update.
 *
 * <p>Work per round: at every touched inner node one G p over the touched
 * domains under it (the root's straight from the accumulators, the others'
 * copied into one buffer, as large as the largest such node's, freed at the
 * end of the round), O(touched x d x levels) in all, plus O(k x levels) on the host for
 * the proportions. Nothing is O(k^2).
 */
public final class HierarchicalUpdate {
    private final int domains;
    /** parents[0][i]: domain i's group at the finest level; parents[j][a]: group a of level j - 1's group at level j. */
    private final int[][] parents;
    /** Nodes: the domains 0 .. k-1, then each level's groups, finest first, then the root. */
    private final int root;
    private final int[] parentNode;
    private final int[] childStart;
    private final int[] child;
    private final int[] indexInParent;
    private final int[] size;
    /** up[depth][i]: domain i's ancestor at that depth (root 0, domains parents.length + 1). */
    private final int[][] up;
    private final int[] depth;
    /** The domains under node v are leafAt[firstLeaf[v] .. firstLeaf[v] + size[v]) (depth-first order). */
    private final int[] leafAt;
    private final int[] firstLeaf;
    /** Finest groups numbered depth-first; the finest groups under node v are ranked below rankTo[v]. */
    private final int[] finestRank;
    private final int[] rankTo;
    private final int finest;
    /** With carried scores: each node's moving average (NaN: never touched); null without. */
    private final double[] carried;
    private final float keep;

    /** Two levels: groupOf[i] the group (0 .. G-1, none empty) of domain i. */
    public HierarchicalUpdate(int[] groupOf) {
        this(new int[][] {groupOf}, Float.NaN);
    }

    /**
     * @param parents parents[0][i] the finest group of domain i; parents[j][a] the group at level j of group a of
     *                level j - 1; at every level the groups are 0 .. G_j - 1, none empty; the last level's groups
     *                are the root's children
     * @param keep    NaN: absent children by the paper's rule; in [0, 1): carried scores with this weight on the
     *                previous average
     */
    public HierarchicalUpdate(int[][] parents, float keep) {
        if (parents.length == 0) throw new IllegalArgumentException("a hierarchy needs at least one level of groups");
        if (!Float.isNaN(keep) && !(keep >= 0 && keep < 1)) {
            throw new IllegalArgumentException("carried-score weight must be in [0, 1), got " + keep);
        }
        this.domains = parents[0].length;
        this.parents = new int[parents.length][];
        int[] base = new int[parents.length + 1];
        base[0] = domains;
        for (int j = 0; j < parents.length; j++) {
            int below = j == 0 ? domains : base[j] - base[j - 1];
            if (parents[j].length != below) {
                throw new IllegalArgumentException("level " + j + " names a group for " + parents[j].length + " nodes, expected " + below);
            }
            this.parents[j] = parents[j].clone();
            base[j + 1] = base[j] + groupsIn(parents[j], j);
        }
        int levels = parents.length;
        this.root = base[levels];
        int nodes = root + 1;
        this.parentNode = new int[nodes];
        this.depth = new int[nodes];
        parentNode[root] = -1;
        for (int j = 0; j < levels; j++) {
            int from = j == 0 ? 0 : base[j - 1];
            for (int v = 0; v < parents[j].length; v++) parentNode[from + v] = base[j] + parents[j][v];
        }
        for (int v = root - 1; v >= base[levels - 1]; v--) parentNode[v] = root;
        for (int v = root - 1; v >= 0; v--) depth[v] = depth[parentNode[v]] + 1;
        this.childStart = new int[nodes + 1];
        for (int v = 0; v < root; v++) childStart[parentNode[v] + 1]++;
        for (int v = 0; v < nodes; v++) childStart[v + 1] += childStart[v];
        this.child = new int[root];
        int[] next = Arrays.copyOf(childStart, nodes);
        this.indexInParent = new int[nodes];
        for (int v = 0; v < root; v++) { // children in id order
            indexInParent[v] = next[parentNode[v]] - childStart[parentNode[v]];
            child[next[parentNode[v]]++] = v;
        }
        this.up = new int[levels + 2][domains];
        for (int i = 0; i < domains; i++) {
            for (int v = i; v >= 0; v = parentNode[v]) up[depth[v]][i] = v;
        }
        this.size = new int[nodes];
        this.leafAt = new int[domains];
        this.firstLeaf = new int[nodes];
        this.finestRank = new int[nodes];
        this.rankTo = new int[nodes];
        int[] counters = new int[2]; // leaves placed, finest groups ranked
        number(root, counters);
        this.finest = counters[1];
        this.keep = keep;
        if (Float.isNaN(keep)) {
            this.carried = null;
        } else {
            this.carried = new double[root];
            Arrays.fill(carried, Double.NaN);
        }
    }

    private static int groupsIn(int[] groupOf, int level) {
        int g = 0;
        for (int i = 0; i < groupOf.length; i++) {
            if (groupOf[i] < 0) throw new IllegalArgumentException("level " + level + ": node " + i + " has group " + groupOf[i]);
            g = Math.max(g, groupOf[i] + 1);
        }
        boolean[] used = new boolean[g];
        for (int a : groupOf) used[a] = true;
        for (int a = 0; a < g; a++) {
            if (!used[a]) throw new IllegalArgumentException("level " + level + ": group " + a + " of " + g + " has no member");
        }
        return g;
    }

    /** Depth-first: each node's leaves and finest groups as contiguous ranges (depth: at most the levels + 1). */
    private void number(int v, int[] counters) {
        firstLeaf[v] = counters[0];
        if (v < domains) {
            leafAt[counters[0]++] = v;
        } else {
            if (depth[v] == parents.length) finestRank[v] = counters[1]++;
            for (int c = childStart[v]; c < childStart[v + 1]; c++) number(child[c], counters);
        }
        size[v] = counters[0] - firstLeaf[v];
        rankTo[v] = counters[1];
    }

    /** Levels of groups (1 for {@code hier=G}). */
    public int levels() { return parents.length; }

    /** The groups, finest level first, as the constructor took them (copies; for a checkpoint). */
    public int[][] parents() {
        int[][] out = new int[parents.length][];
        for (int j = 0; j < parents.length; j++) out[j] = parents[j].clone();
        return out;
    }

    /** The carry weight, NaN without carried scores. */
    public float keep() { return keep; }

    /** With carried scores: each node's average below the root (domains first; NaN: never touched); else null. */
    public double[] carriedScores() { return carried == null ? null : carried.clone(); }

    /** Restores what {@link #carriedScores()} returned. */
    public void restoreCarriedScores(double[] state) {
        if (carried == null) throw new IllegalStateException("this hierarchy does not carry scores");
        if (state.length != carried.length) {
            throw new IllegalArgumentException("expected " + carried.length + " carried scores, got " + state.length);
        }
        System.arraycopy(state, 0, carried, 0, state.length);
    }

    /**
     * p' from the round's accumulators.
     *
     * @param g       the round's per-domain gradient sums (touched slots only)
     * @param p       evaluation proportions, k
     * @param current proportions kept when the round is skipped
     */
    BalanceStep update(Backend backend, DomainGradients g, float[] p, float lambda, float[] current) {
        if (g.domains() != domains) {
            throw new IllegalArgumentException("hierarchy over " + domains + " domains, accumulators over " + g.domains());
        }
        int n = g.slots();
        if (n == 0) return new BalanceStep(current.clone(), BalanceStep.Status.SKIPPED_NO_DOMAIN);
        Round r = new Round(backend, g, p, lambda, current);
        try {
            BalanceStep.Status status = r.visit(root, 1.0, 0, n);
            if (status != BalanceStep.Status.UPDATED) return new BalanceStep(current.clone(), status);
            for (int q = 0; q < r.pendingCount; q++) carried[r.pendingNode[q]] = r.pendingScore[q];
            return new BalanceStep(r.out, BalanceStep.Status.UPDATED);
        } finally {
            r.close();
        }
    }

    /** One round's working state. */
    private final class Round implements AutoCloseable {
        final Backend backend;
        final DomainGradients g;
        final float lambda;
        final float[] current;
        final long d;
        final long[] count;
        final float[] inverseCount;
        /** Slots by finest group depth-first, slot order within a group (a stable counting sort). */
        final int[] sorted;
        /** The sorted slots of finest rank r are sorted[rankStart[r] .. rankStart[r + 1]). */
        final int[] rankStart;
        /** Each node's evaluation share. */
        final double[] evalShare;
        final float[] out;
        Tensor block;
        int[] pendingNode = new int[16];
        double[] pendingScore = new double[16];
        int pendingCount;

        Round(Backend backend, DomainGradients g, float[] p, float lambda, float[] current) {
            this.backend = backend;
            this.g = g;
            this.lambda = lambda;
            this.current = current;
            this.d = g.dimension();
            this.count = g.slotCounts();
            this.inverseCount = g.inverseSlotCounts();
            int n = count.length;
            int finestLevel = up.length - 2;
            this.rankStart = new int[finest + 1];
            for (int s = 0; s < n; s++) rankStart[finestRank[up[finestLevel][g.domainOfSlot(s)]] + 1]++;
            for (int r = 0; r < finest; r++) rankStart[r + 1] += rankStart[r];
            this.sorted = new int[n];
            int[] next = Arrays.copyOf(rankStart, finest);
            for (int s = 0; s < n; s++) sorted[next[finestRank[up[finestLevel][g.domainOfSlot(s)]]]++] = s;
            this.evalShare = new double[root + 1];
            for (int i = 0; i < domains; i++) {
                evalShare[i] = p[i];
                evalShare[parentNode[i]] += p[i];
            }
            for (int v = domains; v < root; v++) evalShare[parentNode[v]] += evalShare[v];
            this.out = new float[domains];
        }

        /** Splits share among v's subtree; the touched slots under v are sorted[from .. to). */
        BalanceStep.Status visit(int v, double share, int from, int to) {
            if (from == to && carried == null) {
                for (int q = firstLeaf[v]; q < firstLeaf[v] + size[v]; q++) out[leafAt[q]] = (float) (share / size[v]);
                return BalanceStep.Status.UPDATED;
            }
            int c0 = childStart[v], m = childStart[v + 1] - c0;
            if (m == 1 && v != root) return descend(v, from, to, c -> share); // a sole child takes the whole share
            double[] logit = new double[m];
            if (from < to) {
                // x_c = g_c / N_c and V = sum_c P_c x_c = sum_s (P_c(s) n_s / N_c(s)) x_s: one G p over the slots, then
                // s_c = sum_{s in c} (n_s / N_c) <x_s, V>.
                int[] local = new int[to - from];
                double[] rows = new double[m];
                for (int q = from; q < to; q++) {
                    int s = sorted[q];
                    local[q - from] = localIndex(v, s);
                    rows[local[q - from]] += count[s];
                }
                float[] gp = gramTimesP(v, from, to, local, rows);
                double[] score = new double[m];
                boolean full = to - from == count.length;
                for (int q = from; q < to; q++) {
                    int s = full ? q : sorted[q], c = full ? localIndex(v, s) : local[q - from];
                    score[c] += count[s] / rows[c] * gp[q - from];
                }
                double norm2 = 0;
                for (int c = 0; c < m; c++) {
                    if (!Double.isFinite(score[c])) return BalanceStep.Status.SKIPPED_NON_FINITE;
                    norm2 += score[c] * score[c];
                }
                if (norm2 == 0) {
                    if (v == root) return BalanceStep.Status.SKIPPED_ZERO_NORM;
                    return keepSplit(v, share, from, to);
                }
                double norm = Math.sqrt(norm2);
                for (int c = 0; c < m; c++) {
                    int u = child[c0 + c];
                    if (rows[c] > 0) {
                        logit[c] = lambda * score[c] / norm;
                        if (carried != null) remember(u, score[c] / norm);
                    } else {
                        logit[c] = carriedLogit(u);
                    }
                }
            } else {
                for (int c = 0; c < m; c++) logit[c] = carriedLogit(child[c0 + c]);
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < m; c++) {
                logit[c] += Math.log(size[child[c0 + c]]);
                max = Math.max(max, logit[c]);
            }
            double total = 0;
            for (int c = 0; c < m; c++) total += Math.exp(logit[c] - max);
            double top = max, sum = total;
            return descend(v, from, to, c -> share * Math.exp(logit[c] - top) / sum);
        }

        /** Each child's share from shareOf, then each child's own split. */
        private BalanceStep.Status descend(int v, int from, int to, java.util.function.IntToDoubleFunction shareOf) {
            int c0 = childStart[v], m = childStart[v + 1] - c0;
            int q = from;
            for (int c = 0; c < m; c++) {
                int u = child[c0 + c];
                if (u < domains) {
                    out[u] = (float) shareOf.applyAsDouble(c);
                    continue;
                }
                int end = q;
                while (end < to && rankOfSlot(sorted[end]) < rankTo[u]) end++;
                BalanceStep.Status s = visit(u, shareOf.applyAsDouble(c), q, end);
                if (s != BalanceStep.Status.UPDATED) return s;
                q = end;
            }
            return BalanceStep.Status.UPDATED;
        }

        /** A zero G p below the root: each child keeps its share of v's current proportions (by size if none). */
        private BalanceStep.Status keepSplit(int v, double share, int from, int to) {
            int c0 = childStart[v], m = childStart[v + 1] - c0;
            double[] mass = new double[m];
            double total = 0;
            for (int c = 0; c < m; c++) {
                int u = child[c0 + c];
                for (int q = firstLeaf[u]; q < firstLeaf[u] + size[u]; q++) mass[c] += current[leafAt[q]];
                total += mass[c];
            }
            double all = total;
            return descend(v, from, to, c -> all > 0 ? share * mass[c] / all : share * size[child[c0 + c]] / size[v]);
        }

        private double carriedLogit(int u) {
            return carried == null || Double.isNaN(carried[u]) ? 0 : lambda * carried[u];
        }

        private void remember(int u, double score) {
            double m = Double.isNaN(carried[u]) ? score : keep * carried[u] + (1 - keep) * score;
            if (pendingCount == pendingNode.length) {
                pendingNode = Arrays.copyOf(pendingNode, 2 * pendingCount);
                pendingScore = Arrays.copyOf(pendingScore, 2 * pendingCount);
            }
            pendingNode[pendingCount] = u;
            pendingScore[pendingCount++] = m;
        }

        private int rankOfSlot(int s) {
            return finestRank[up[up.length - 2][g.domainOfSlot(s)]];
        }

        /** Index, among v's children, of the child holding slot s's domain. */
        private int localIndex(int v, int s) {
            return indexInParent[up[depth[v] + 1][g.domainOfSlot(s)]];
        }

        /**
         * &lt;x_s, V&gt; for the slots sorted[from .. to) (in that order), V weighted by P_c n_s / N_c; the root's
         * G p runs on the accumulators in slot order, the others' on a copy.
         */
        private float[] gramTimesP(int v, int from, int to, int[] local, double[] rows) {
            int t = to - from, c0 = childStart[v];
            float[] weight = new float[t];
            if (t == count.length) {
                for (int s = 0; s < t; s++) {
                    int c = localIndex(v, s);
                    weight[s] = (float) (evalShare[child[c0 + c]] * count[s] / rows[c]);
                }
                return backend.gramTimesP(g.gradients(), t, d, inverseCount, weight);
            }
            if (block == null || block.size() < t * d) { // as large as the largest node's slots, not all of them
                if (block != null) block.close();
                block = backend.allocate(t * d);
            }
            float[] scale = new float[t];
            for (int q = 0; q < t; q++) {
                int s = sorted[from + q], c = local[q];
                weight[q] = (float) (evalShare[child[c0 + c]] * count[s] / rows[c]);
                scale[q] = inverseCount[s];
                backend.copy(g.gradients(), s * d, block, q * d, d);
            }
            return backend.gramTimesP(block, t, d, scale, weight);
        }

        @Override
        public void close() {
            if (block != null) block.close();
        }
    }
}
