package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.Tensor;

import java.util.Arrays;

/**
 * R&amp;B over clusters of clusters (beyond the paper; {@code rnb:hier=G}):
 * the k domains are split into G groups, and p'_i = P(A) P(i | A) for the
 * group A holding domain i, each factor an R&amp;B update at its own level:
 *
 * <ul>
 *   <li>groups: a group's gradient is the sum of its members' gradients and its
 *       row count the sum of theirs, so its mean gradient is x_A = g_A / n_A;
 *       its evaluation proportion is P_A = sum of its members' p_i;
 *       P(A) proportional to |A| exp(lambda s_A / ||s||) over the groups, with
 *       s_A = &lt;x_A, sum_B P_B x_B&gt; (G p over groups) and |A| the group's number of
 *       domains;</li>
 *   <li>within group A: P(i | A) = softmax(lambda t / ||t||) over A's members with
 *       t_i = &lt;x_i, sum_{j in A} p_j x_j&gt; (G p restricted to A's block;
 *       scaling p by 1 / P_A would cancel in the normalisation).</li>
 * </ul>
 *
 * The factor |A| is the paper's uniform base over domains carried up a level:
 * with every logit 0 the mixture is uniform over the domains, not over the
 * groups (a first version without it gave each member of a 3-domain group
 * about 10 times the share of a member of a 30-domain group, whatever their
 * gradients: docs/SCALING.md). Absent domains follow the paper's rule at each level: a group without a
 * touched member gets logit 0 among the groups and the uniform mixture over
 * its members; a member absent from a touched group gets logit 0 within it
 * (a touched group whose block of G p is all 0 keeps its current split).
 * With G = 1 this is the paper's update over the domains; with G = k it is
 * the paper's update over the groups. The norms run over the touched entries
 * of each level, so a group's members spread by about lambda / sqrt(touched
 * in the group), not lambda / sqrt(touched): the coarse level stays sharp
 * at large k because every group is touched most rounds.
 *
 * <p>Work per round: one G p over the touched domains' accumulators, then
 * each touched group's accumulators copied into one buffer (as large as the
 * largest group's, freed at the end of the round) and a G p over them,
 * O(touched x d) in all,
 * plus O(k) on the host for the proportions. Nothing is O(k^2).
 */
public final class HierarchicalUpdate {
    private final int[] groupOf;
    private final int groups;
    /** Members of group a: member[start[a] .. start[a + 1]). */
    private final int[] start;
    private final int[] member;

    /** @param groupOf each domain's group, 0 .. G-1, every group non-empty */
    public HierarchicalUpdate(int[] groupOf) {
        int g = 0;
        for (int i = 0; i < groupOf.length; i++) {
            if (groupOf[i] < 0) throw new IllegalArgumentException("domain " + i + " has group " + groupOf[i]);
            g = Math.max(g, groupOf[i] + 1);
        }
        this.groupOf = groupOf.clone();
        this.groups = g;
        this.start = new int[g + 1];
        for (int a : groupOf) start[a + 1]++;
        for (int a = 0; a < g; a++) {
            if (start[a + 1] == 0) throw new IllegalArgumentException("group " + a + " of " + g + " has no domain");
            start[a + 1] += start[a];
        }
        this.member = new int[groupOf.length];
        int[] next = Arrays.copyOf(start, g);
        for (int i = 0; i < groupOf.length; i++) member[next[groupOf[i]]++] = i;
    }

    public int groups() { return groups; }

    /** Each domain's group (a copy). */
    public int[] groupOf() { return groupOf.clone(); }

    /** Smallest, median and largest group size, for reports. */
    public int[] sizeQuartiles() {
        int[] sizes = new int[groups];
        for (int a = 0; a < groups; a++) sizes[a] = start[a + 1] - start[a];
        Arrays.sort(sizes);
        return new int[] {sizes[0], sizes[groups / 2], sizes[groups - 1]};
    }

    /**
     * p' from the round's accumulators: one G p over the touched slots for the
     * group level, then for each touched group its slots copied to the front of
     * one buffer in the backend's memory and one G p over them.
     *
     * @param g       the round's per-domain gradient sums (touched slots only)
     * @param p       evaluation proportions, k
     * @param current proportions kept when the round is skipped
     */
    BalanceStep update(Backend backend, DomainGradients g, float[] p, float lambda, float[] current) {
        if (g.domains() != groupOf.length) {
            throw new IllegalArgumentException("hierarchy over " + groupOf.length + " domains, accumulators over " + g.domains());
        }
        int n = g.slots();
        if (n == 0) return new BalanceStep(current.clone(), BalanceStep.Status.SKIPPED_NO_DOMAIN);
        long d = g.dimension();
        long[] slotCount = g.slotCounts();
        // Slots sorted by group (counting sort): order[q] is the q-th slot, group a's rows from[a] .. from[a + 1].
        int[] from = new int[groups + 1];
        for (int s = 0; s < n; s++) from[groupOf[g.domainOfSlot(s)] + 1]++;
        for (int a = 0; a < groups; a++) from[a + 1] += from[a];
        int[] order = new int[n];
        int[] next = Arrays.copyOf(from, groups);
        for (int s = 0; s < n; s++) order[next[groupOf[g.domainOfSlot(s)]]++] = s;

        // Group level: V = sum_A P_A x_A = sum_s (P_A n_s / N_A) x_s, so <x_s, V> from one G p over the slots;
        // s_A = sum_s (n_s / N_A) <x_s, V>.
        float[] scale = g.inverseSlotCounts();
        double[] rows = new double[groups];
        for (int s = 0; s < n; s++) rows[groupOf[g.domainOfSlot(s)]] += slotCount[s];
        double[] evalShare = new double[groups];
        for (int i = 0; i < p.length; i++) evalShare[groupOf[i]] += p[i];
        float[] weight = new float[n];
        for (int s = 0; s < n; s++) {
            int a = groupOf[g.domainOfSlot(s)];
            weight[s] = (float) (evalShare[a] * slotCount[s] / rows[a]);
        }
        float[] toV = backend.gramTimesP(g.gradients(), n, d, scale, weight);
        double[] groupScore = new double[groups];
        for (int s = 0; s < n; s++) {
            int a = groupOf[g.domainOfSlot(s)];
            groupScore[a] += slotCount[s] / rows[a] * toV[s];
        }
        double norm2 = 0;
        for (int a = 0; a < groups; a++) {
            if (!Double.isFinite(groupScore[a])) return new BalanceStep(current.clone(), BalanceStep.Status.SKIPPED_NON_FINITE);
            norm2 += groupScore[a] * groupScore[a];
        }
        if (norm2 == 0) return new BalanceStep(current.clone(), BalanceStep.Status.SKIPPED_ZERO_NORM);
        double norm = Math.sqrt(norm2);
        double[] logit = new double[groups];
        for (int a = 0; a < groups; a++) {
            logit[a] = (rows[a] > 0 ? lambda * groupScore[a] / norm : 0) + Math.log(start[a + 1] - start[a]);
        }
        double[] groupP = softmax(logit);

        int largest = 0;
        for (int a = 0; a < groups; a++) largest = Math.max(largest, from[a + 1] - from[a]);
        // Within groups: each touched group's rows copied to the front of one buffer, one G p per group.
        try (Tensor block = backend.allocate(largest * d)) {
            // Within each group: uniform unless touched; a touched group by its block of G p.
            float[] out = new float[groupOf.length];
            double[] within = new double[groupOf.length];
            for (int a = 0; a < groups; a++) {
                int size = start[a + 1] - start[a];
                int t = from[a + 1] - from[a];
                if (t == 0) {
                    for (int m = start[a]; m < start[a + 1]; m++) out[member[m]] = (float) (groupP[a] / size);
                    continue;
                }
                float[] pBlock = new float[t], scaleBlock = new float[t];
                int[] domainBlock = new int[t];
                for (int q = 0; q < t; q++) {
                    int slot = order[from[a] + q];
                    domainBlock[q] = g.domainOfSlot(slot);
                    pBlock[q] = p[domainBlock[q]];
                    scaleBlock[q] = scale[slot];
                    backend.copy(g.gradients(), slot * d, block, q * d, d);
                }
                float[] gp = backend.gramTimesP(block, t, d, scaleBlock, pBlock);
                double localNorm2 = 0;
                for (float v : gp) {
                    if (!Float.isFinite(v)) return new BalanceStep(current.clone(), BalanceStep.Status.SKIPPED_NON_FINITE);
                    localNorm2 += (double) v * v;
                }
                if (localNorm2 == 0) { // nothing to rank by: the group keeps its current split (the paper's skipped round, one level down)
                    keepSplit(a, groupP[a], current, out);
                    continue;
                }
                double localNorm = Math.sqrt(localNorm2);
                double max = 0; // absent members' logit
                for (int q = 0; q < t; q++) {
                    within[domainBlock[q]] = lambda * gp[q] / localNorm;
                    max = Math.max(max, within[domainBlock[q]]);
                }
                double total = 0;
                for (int m = start[a]; m < start[a + 1]; m++) total += Math.exp(within[member[m]] - max);
                for (int m = start[a]; m < start[a + 1]; m++) {
                    int i = member[m];
                    out[i] = (float) (groupP[a] * Math.exp(within[i] - max) / total);
                    within[i] = 0;
                }
            }
            return new BalanceStep(out, BalanceStep.Status.UPDATED);
        }
    }

    /** next_i = share x current_i / (current's total over group a), uniform if that total is 0. */
    private void keepSplit(int a, double share, float[] current, float[] next) {
        double total = 0;
        for (int m = start[a]; m < start[a + 1]; m++) total += current[member[m]];
        int size = start[a + 1] - start[a];
        for (int m = start[a]; m < start[a + 1]; m++) {
            next[member[m]] = (float) (total > 0 ? share * current[member[m]] / total : share / size);
        }
    }

    private static double[] softmax(double[] logit) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logit) max = Math.max(max, l);
        double total = 0;
        double[] out = new double[logit.length];
        for (int i = 0; i < logit.length; i++) {
            out[i] = Math.exp(logit[i] - max);
            total += out[i];
        }
        for (int i = 0; i < out.length; i++) out[i] /= total;
        return out;
    }
}
