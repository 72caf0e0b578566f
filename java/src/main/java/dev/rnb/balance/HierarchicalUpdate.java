package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.Tensor;
import dev.rnb.data.DomainGroups;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.MixtureSampler;

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
 * lambda is one number at every node, or with lambda=auto each finest group's
 * own ({@link #autoWithinFinestGroups}), or with lambda=auto-all every
 * node's own ({@link #autoAtEveryNode}).
 *
 * <p>With one level of groups ({@code hier=G}) it computes what the first,
 * two-level-only version computed, in the same order. A sole child takes
 * its parent's whole share. The factor |c| is the paper's uniform base over
 * domains carried up a level: with every logit 0 the mixture is uniform over
 * the domains, not over the groups (a first version without it gave each
 * member of a 3-domain group about 10 times the share of a member of a
 * 30-domain group, whatever their gradients: docs/scaling/hierarchy.md). The norms run
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
 * end of the round), O(touched x d x levels) in all. Nothing is O(k^2).
 *
 * <p>The proportions' form. Below {@link MixtureSampler#SPARSE_MIN_DOMAINS}
 * domains p' is dense (k values, O(k x levels) on the host a round; every
 * earlier run's bits). From there on it is grouped
 * ({@link DomainProportions#grouped}, by the finest groups, {@link #finestGroups}):
 * within a finest group every domain that is neither touched nor (with
 * carried scores) ever seen has logit 0, so all of them get one value, the
 * group's; only the touched and seen domains are listed. The round is then
 * O(touched x levels + groups + seen) on the host, no k-element array: the
 * evaluation shares of the groups are summed once, an untouched group gets
 * its value without visiting its domains, a touched one sums the softmax over
 * its listed domains plus its others' count, and the kept split of a zero G p
 * reads the current proportions' group sums. The values are the dense
 * form's up to rounding (sums in another order).
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
    /** The finest groups as a partition of the domains, when p' is grouped; null when it is dense. */
    private final DomainGroups finestGroups;
    /** Each finest group's node by its depth-first rank, and the first rank under each node (below rankTo). */
    private final int[] finestAtRank;
    private final int[] rankFrom;
    /** Grouped, with carried scores: the domains ever touched, increasing (the order a restore gives too). */
    private int[] seenDomains = new int[0];
    /** Grouped, with carried scores: bit d set while domain d is touched in the round being computed. */
    private final long[] touchedBits;
    /** The evaluation proportions the node shares below were summed from (the balancer's own array), and the sums. */
    private float[] sharedFrom;
    private double[] evalShareOfNode;

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
        this(parents, keep, parents.length > 0 && parents[0].length >= MixtureSampler.SPARSE_MIN_DOMAINS);
    }

    /** The same, p' grouped ({@code grouped}) or dense whatever k is (a test compares the two). */
    HierarchicalUpdate(int[][] parents, float keep, boolean grouped) {
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
        this.rankFrom = new int[nodes];
        int[] counters = new int[2]; // leaves placed, finest groups ranked
        number(root, counters);
        this.finest = counters[1];
        this.finestAtRank = new int[finest];
        for (int v = domains; v < root; v++) if (depth[v] == levels) finestAtRank[finestRank[v]] = v;
        this.keep = keep;
        if (Float.isNaN(keep)) {
            this.carried = null;
        } else {
            this.carried = new double[root];
            Arrays.fill(carried, Double.NaN);
        }
        this.finestGroups = grouped ? new DomainGroups(parents[0], finest) : null;
        this.touchedBits = grouped && carried != null ? new long[(domains + 63) >>> 6] : null;
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
        rankFrom[v] = counters[1];
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

    /** Every group node's lambda the same: {@link #update}'s lambdas for a number lambda. */
    public float[] sameLambda(float lambda) {
        float[] lambdas = new float[root + 1 - domains];
        Arrays.fill(lambdas, lambda);
        return lambdas;
    }

    /**
     * {@link #update}'s lambdas for lambda=auto with a hierarchy (beyond the
     * paper): each finest group splits its share among its domains at
     * {@link LambdaRule#auto} of their evaluation proportions p (k values, any
     * scale), but never below groupLambda, and every coarser node among its
     * groups at groupLambda. Why only the finest: the rule bounds the lambda
     * at which one child takes most of its parent's share, and was read for
     * domains, where that child is one cluster's examples drawn over and
     * over; a group that takes most of the mixture still spreads it over its
     * domains. And over m children lambda* &lt;= ln(m - 1) sqrt(m), so at
     * hier=4's group level the rule could give at most ln 3 = 1.10, next to
     * nothing above the floor (docs/results/hierfits-plan.md, part C). Why
     * the floor: in a group of a few domains lambda* is small (ln(m - 1): 0
     * for two), and at k = 16 (groups of about 4) the rule's
     * lambdas of 0 to 1 lost to lambda 1 on WordNet
     * (docs/scaling/training-vs-k.md, "`rnb:hier=4:lambda=auto`"). A finest
     * group with no evaluation share never uses its lambda: its G p is 0, so
     * it keeps its split. O(k), once.
     */
    public float[] autoWithinFinestGroups(float[] p, float groupLambda) {
        if (p.length != domains) throw new IllegalArgumentException("expected " + domains + " evaluation proportions, got " + p.length);
        float[] lambdas = sameLambda(groupLambda);
        for (int r = 0; r < finest; r++) {
            int v = finestAtRank[r];
            float[] members = new float[size[v]];
            for (int q = 0; q < members.length; q++) members[q] = p[leafAt[firstLeaf[v] + q]];
            lambdas[v - domains] = Math.max(groupLambda, LambdaRule.auto(members));
        }
        return lambdas;
    }

    /**
     * {@link #update}'s lambdas for lambda=auto-all (beyond the paper): every
     * group node, the root included, splits its share among its children at
     * {@link LambdaRule#auto} of their evaluation shares (each child's the
     * sum of p over the domains under it), never below floor; the finest
     * groups get what {@link #autoWithinFinestGroups} gives them. Over m
     * children with any share the rule is at most min(1.5 ln m,
     * ln(m - 1) sqrt(m) / 2): 1.10 over 4 groups, 2.75 over 8, 4.16 over 16
     * (docs/results/grouplambda-plan.md). O(k), once.
     *
     * @param p     the evaluation proportions, k values, any scale
     * @param floor the least lambda of any node
     */
    public float[] autoAtEveryNode(float[] p, float floor) {
        float[] lambdas = autoWithinFinestGroups(p, floor);
        double[] share = evalShares(p);
        for (int v = domains; v <= root; v++) {
            if (depth[v] == parents.length) continue; // a finest group: its domains, above
            float[] children = new float[childStart[v + 1] - childStart[v]];
            for (int c = 0; c < children.length; c++) children[c] = (float) share[child[childStart[v] + c]];
            lambdas[v - domains] = Math.max(floor, LambdaRule.auto(children));
        }
        return lambdas;
    }

    /** Groups at the finest level: nodes k .. k + this - 1 (the first of {@link #sameLambda}'s entries). */
    public int finestGroupCount() { return finest; }

    /** The carry weight, NaN without carried scores. */
    public float keep() { return keep; }

    /** The finest groups p' is grouped by (domain i in group parents[0][i]); null where p' is dense (below 2^16 domains). */
    public DomainGroups finestGroups() { return finestGroups; }

    /** With carried scores: each node's average below the root (domains first; NaN: never touched); else null. */
    public double[] carriedScores() { return carried == null ? null : carried.clone(); }

    /** Restores what {@link #carriedScores()} returned. */
    public void restoreCarriedScores(double[] state) {
        if (carried == null) throw new IllegalStateException("this hierarchy does not carry scores");
        if (state.length != carried.length) {
            throw new IllegalArgumentException("expected " + carried.length + " carried scores, got " + state.length);
        }
        System.arraycopy(state, 0, carried, 0, state.length);
        if (finestGroups != null) {
            int n = 0;
            for (int i = 0; i < domains; i++) if (!Double.isNaN(carried[i])) n++;
            seenDomains = new int[n];
            for (int i = 0, j = 0; i < domains; i++) if (!Double.isNaN(carried[i])) seenDomains[j++] = i;
        }
    }

    /**
     * Each node's evaluation share (a domain's p_i, a group's the sum under
     * it), summed once for the array p: the balancer passes its own
     * evaluation proportions, which never change.
     */
    private double[] evalShares(float[] p) {
        if (p != sharedFrom) {
            double[] share = new double[root + 1];
            for (int i = 0; i < domains; i++) {
                share[i] = p[i];
                share[parentNode[i]] += p[i];
            }
            for (int v = domains; v < root; v++) share[parentNode[v]] += share[v];
            evalShareOfNode = share;
            sharedFrom = p;
        }
        return evalShareOfNode;
    }

    /**
     * p' from the round's accumulators: dense, or grouped by {@link #finestGroups}.
     *
     * @param g       the round's per-domain gradient sums (touched slots only)
     * @param p       evaluation proportions, k (the same array every round: its group sums are kept)
     * @param lambdas each group node's lambda ({@link #sameLambda} or {@link #autoWithinFinestGroups})
     * @param current proportions kept when the round is skipped (any form)
     */
    TouchedSoftmax.Step update(Backend backend, DomainGradients g, float[] p, float[] lambdas, DomainProportions current) {
        if (g.domains() != domains) {
            throw new IllegalArgumentException("hierarchy over " + domains + " domains, accumulators over " + g.domains());
        }
        int n = g.slots();
        if (n == 0) return new TouchedSoftmax.Step(current, BalanceStep.Status.SKIPPED_NO_DOMAIN);
        if (lambdas.length != root + 1 - domains) {
            throw new IllegalArgumentException("expected a lambda for each of " + (root + 1 - domains) + " groups, got " + lambdas.length);
        }
        Round r = new Round(backend, g, p, lambdas, current);
        try {
            BalanceStep.Status status = r.visit(root, 1.0, 0, n);
            if (status != BalanceStep.Status.UPDATED) return new TouchedSoftmax.Step(current, status);
            if (finestGroups != null && carried != null) rememberSeen(r);
            for (int q = 0; q < r.pendingCount; q++) carried[r.pendingNode[q]] = r.pendingScore[q];
            DomainProportions next = finestGroups == null ? DomainProportions.dense(r.out)
                    : DomainProportions.grouped(finestGroups, Arrays.copyOf(r.listedIds, r.listedCount),
                            Arrays.copyOf(r.listedValues, r.listedCount), r.rests);
            return new TouchedSoftmax.Step(next, BalanceStep.Status.UPDATED);
        } finally {
            r.close();
        }
    }

    /** Merges the domains first seen this round (before their scores are committed) into the increasing seen list. */
    private void rememberSeen(Round r) {
        int[] fresh = new int[r.pendingCount];
        int m = 0;
        for (int q = 0; q < r.pendingCount; q++) {
            int u = r.pendingNode[q];
            if (u < domains && Double.isNaN(carried[u])) fresh[m++] = u;
        }
        if (m == 0) return;
        Arrays.sort(fresh, 0, m);
        int[] merged = new int[seenDomains.length + m];
        int a = 0, b = 0, n = 0;
        while (a < seenDomains.length || b < m) {
            merged[n++] = b == m || a < seenDomains.length && seenDomains[a] < fresh[b] ? seenDomains[a++] : fresh[b++];
        }
        seenDomains = merged;
    }

    /** One round's working state. */
    private final class Round implements AutoCloseable {
        final Backend backend;
        final DomainGradients g;
        /** Group node v's lambda is lambdas[v - domains]. */
        final float[] lambdas;
        final DomainProportions current;
        /** Dense: the current proportions' k values, made when a kept split needs them. */
        float[] currentValues;
        /** Grouped: the current proportions grouped by the finest groups, and each node's sum of them, made when a kept split needs them. */
        DomainProportions currentGrouped;
        double[] currentMass;
        /** currentGrouped's listed entries by finest group: group rank r's are currentAt[currentStart[r] .. currentStart[r + 1]). */
        int[] currentStart, currentAt;
        final long d;
        final long[] count;
        final float[] inverseCount;
        /** Slots by finest group depth-first, slot order within a group (a stable counting sort). */
        final int[] sorted;
        /** The sorted slots of finest rank r are sorted[rankStart[r] .. rankStart[r + 1]). */
        final int[] rankStart;
        /** Each node's evaluation share. */
        final double[] evalShare;
        /** Dense: p'. */
        final float[] out;
        /** Grouped: p''s listed domains and their values, and each finest group's value for its other members. */
        int[] listedIds;
        float[] listedValues;
        int listedCount;
        final float[] rests;
        /** Grouped, with carried scores: the seen domains by finest group, rank r's seenAt[seenStart[r] .. seenStart[r + 1]). */
        int[] seenStart, seenAt;
        Tensor block;
        int[] pendingNode = new int[16];
        double[] pendingScore = new double[16];
        int pendingCount;

        Round(Backend backend, DomainGradients g, float[] p, float[] lambdas, DomainProportions current) {
            this.backend = backend;
            this.g = g;
            this.lambdas = lambdas;
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
            this.evalShare = evalShares(p);
            if (finestGroups == null) {
                this.out = new float[domains];
                this.rests = null;
                return;
            }
            this.out = null;
            this.rests = new float[finest];
            this.listedIds = new int[Math.max(16, n)];
            this.listedValues = new float[listedIds.length];
            if (carried == null) return;
            for (int s = 0; s < n; s++) touchedBits[g.domainOfSlot(s) >>> 6] |= 1L << g.domainOfSlot(s);
            this.seenStart = new int[finest + 1];
            for (int u : seenDomains) seenStart[finestRank[up[finestLevel][u]] + 1]++;
            for (int r = 0; r < finest; r++) seenStart[r + 1] += seenStart[r];
            this.seenAt = new int[seenDomains.length];
            int[] at = Arrays.copyOf(seenStart, finest);
            for (int u : seenDomains) seenAt[at[finestRank[up[finestLevel][u]]]++] = u;
        }

        /** Splits share among v's subtree; the touched slots under v are sorted[from .. to). */
        BalanceStep.Status visit(int v, double share, int from, int to) {
            if (finestGroups != null && depth[v] == parents.length) return visitFinest(v, share, from, to);
            if (from == to && carried == null) {
                if (out != null) {
                    for (int q = firstLeaf[v]; q < firstLeaf[v] + size[v]; q++) out[leafAt[q]] = (float) (share / size[v]);
                } else {
                    for (int r = rankFrom[v]; r < rankTo[v]; r++) rests[finestAtRank[r] - domains] = (float) (share / size[v]);
                }
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
                boolean full = to - from == count.length;
                float[] weight = new float[to - from];
                for (int q = 0; q < weight.length; q++) { // in slot order when v holds every slot (then G p reads the accumulators as they are)
                    int s = full ? q : sorted[from + q], c = full ? localIndex(v, s) : local[q];
                    weight[q] = (float) (evalShare[child[c0 + c]] * count[s] / rows[c]);
                }
                float[] gp = gramTimesP(from, to, weight);
                double[] score = new double[m];
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
                        logit[c] = lambdas[v - domains] * score[c] / norm;
                        if (carried != null) remember(u, score[c] / norm);
                    } else {
                        logit[c] = carriedLogit(v, u);
                    }
                }
            } else {
                for (int c = 0; c < m; c++) logit[c] = carriedLogit(v, child[c0 + c]);
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
                if (u < domains) { // dense only: a grouped p''s finest groups are visitFinest's
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
            if (out != null && currentValues == null) currentValues = current.toArray();
            for (int c = 0; c < m; c++) {
                int u = child[c0 + c];
                if (out != null) {
                    for (int q = firstLeaf[u]; q < firstLeaf[u] + size[u]; q++) mass[c] += currentValues[leafAt[q]];
                } else {
                    mass[c] = currentMass()[u];
                }
                total += mass[c];
            }
            double all = total;
            return descend(v, from, to, c -> all > 0 ? share * mass[c] / all : share * size[child[c0 + c]] / size[v]);
        }

        /** Absent child u of node v: lambda m_u with carried scores (0 until first seen), else 0. */
        private double carriedLogit(int v, int u) {
            return carried == null || Double.isNaN(carried[u]) ? 0 : lambdas[v - domains] * carried[u];
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
         * &lt;x_s, V&gt; for the slots sorted[from .. to) (in that order; in slot order when they are all the
         * slots), V weighted by weight (P_c n_s / N_c, in the same order); all the slots' G p runs on the
         * accumulators, a node's on a copy of its slots.
         */
        private float[] gramTimesP(int from, int to, float[] weight) {
            int t = to - from;
            if (t == count.length) return backend.gramTimesP(g.gradients(), t, d, inverseCount, weight);
            if (block == null || block.size() < t * d) { // as large as the largest node's slots, not all of them
                if (block != null) block.close();
                block = backend.allocate(t * d);
            }
            float[] scale = new float[t];
            for (int q = 0; q < t; q++) {
                int s = sorted[from + q];
                scale[q] = inverseCount[s];
                backend.copy(g.gradients(), s * d, block, q * d, d);
            }
            return backend.gramTimesP(block, t, d, scale, weight);
        }

        /**
         * Grouped: finest group v's split of share among its domains. Its
         * touched domains get lambda s_i / ||s|| as in {@link #visit} (each its
         * own child: x_i = g_i / n_i, V = sum_i p_i x_i), its other seen ones
         * (carried scores) lambda m_i, and the rest logit 0: they share one
         * value, the group's. O(touched + seen) in the group, not its size.
         */
        private BalanceStep.Status visitFinest(int v, double share, int from, int to) {
            int group = v - domains, m = size[v], t = to - from;
            if (t == 0 && carried == null) {
                rests[group] = (float) (share / m);
                return BalanceStep.Status.UPDATED;
            }
            if (m == 1) { // a sole domain takes the whole share
                rests[group] = (float) share;
                return BalanceStep.Status.UPDATED;
            }
            int seenFrom = carried == null ? 0 : seenStart[finestRank[v]], seenTo = carried == null ? 0 : seenStart[finestRank[v] + 1];
            int[] who = new int[t + seenTo - seenFrom];
            double[] logit = new double[who.length];
            int n = 0;
            if (t > 0) {
                boolean full = t == count.length;
                float[] weight = new float[t];
                for (int q = 0; q < t; q++) {
                    int s = full ? q : sorted[from + q];
                    weight[q] = (float) (evalShare[g.domainOfSlot(s)] * count[s] / (double) count[s]);
                }
                float[] gp = gramTimesP(from, to, weight);
                double[] score = new double[t];
                double norm2 = 0;
                for (int q = 0; q < t; q++) {
                    int s = full ? q : sorted[from + q];
                    score[q] = count[s] / (double) count[s] * gp[q];
                    if (!Double.isFinite(score[q])) return BalanceStep.Status.SKIPPED_NON_FINITE;
                    norm2 += score[q] * score[q];
                }
                if (norm2 == 0) return keepFinest(v, share);
                double norm = Math.sqrt(norm2);
                for (int q = 0; q < t; q++) {
                    int u = g.domainOfSlot(full ? q : sorted[from + q]);
                    who[n] = u;
                    logit[n++] = lambdas[v - domains] * score[q] / norm;
                    if (carried != null) remember(u, score[q] / norm);
                }
            }
            for (int j = seenFrom; j < seenTo; j++) {
                int u = seenAt[j];
                if ((touchedBits[u >>> 6] & 1L << u) != 0) continue;
                who[n] = u;
                logit[n++] = lambdas[v - domains] * carried[u];
            }
            long others = m - n; // logit 0 (plus log 1)
            double max = others > 0 ? 0 : Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) max = Math.max(max, logit[j]);
            double total = 0;
            for (int j = 0; j < n; j++) total += Math.exp(logit[j] - max);
            total += others * Math.exp(-max);
            for (int j = 0; j < n; j++) list(who[j], (float) (share * Math.exp(logit[j] - max) / total));
            rests[group] = others > 0 ? (float) (share * Math.exp(-max) / total) : 0f;
            return BalanceStep.Status.UPDATED;
        }

        /** Grouped: a zero G p in finest group v: its domains keep their shares of its current proportions (by size if none). */
        private BalanceStep.Status keepFinest(int v, double share) {
            double all = currentMass()[v];
            int group = v - domains, r = finestRank[v];
            if (!(all > 0)) {
                rests[group] = (float) (share / size[v]);
                return BalanceStep.Status.UPDATED;
            }
            for (int j = currentStart[r]; j < currentStart[r + 1]; j++) {
                int i = currentAt[j];
                list(currentGrouped.listedDomain(i), (float) (share * currentGrouped.listedValue(i) / all));
            }
            rests[group] = (float) (share * currentGrouped.groupRest(group) / all);
            return BalanceStep.Status.UPDATED;
        }

        /** Grouped: each node's sum of the current proportions, from their grouped form (O(listed + groups) once a round). */
        private double[] currentMass() {
            if (currentMass != null) return currentMass;
            currentGrouped = current.groupedBy(finestGroups);
            int t = currentGrouped.listedCount();
            currentStart = new int[finest + 1];
            int finestLevel = up.length - 2;
            for (int i = 0; i < t; i++) currentStart[finestRank[up[finestLevel][currentGrouped.listedDomain(i)]] + 1]++;
            for (int r = 0; r < finest; r++) currentStart[r + 1] += currentStart[r];
            currentAt = new int[t];
            int[] at = Arrays.copyOf(currentStart, finest);
            for (int i = 0; i < t; i++) currentAt[at[finestRank[up[finestLevel][currentGrouped.listedDomain(i)]]]++] = i;
            double[] mass = new double[root + 1];
            for (int r = 0; r < finest; r++) {
                int v = finestAtRank[r];
                double listedSum = 0;
                for (int j = currentStart[r]; j < currentStart[r + 1]; j++) listedSum += currentGrouped.listedValue(currentAt[j]);
                mass[v] = (double) currentGrouped.groupRest(v - domains) * (size[v] - (currentStart[r + 1] - currentStart[r])) + listedSum;
            }
            for (int v = domains; v < root; v++) mass[parentNode[v]] += mass[v];
            currentMass = mass;
            return mass;
        }

        /** Grouped: domain u is listed with value x. */
        private void list(int u, float x) {
            if (listedCount == listedIds.length) {
                listedIds = Arrays.copyOf(listedIds, 2 * listedCount);
                listedValues = Arrays.copyOf(listedValues, 2 * listedCount);
            }
            listedIds[listedCount] = u;
            listedValues[listedCount++] = x;
        }

        @Override
        public void close() {
            if (block != null) block.close();
            if (touchedBits != null) {
                for (int s = 0; s < count.length; s++) touchedBits[g.domainOfSlot(s) >>> 6] = 0;
            }
        }
    }
}
