package dev.rnb.mix;

import dev.rnb.balance.RoundResult;
import dev.rnb.data.DomainProportions;

import java.util.Locale;

/**
 * How R&amp;B's proportions moved, round by round, and whether the noise
 * feedback of rnb-method.md shows: G_ii is the squared norm of a mean of n_i
 * noisy gradients, so E[G_ii] = ||mu_i||^2 + tr(Sigma_i) / n_i and the
 * least-sampled domain tends to have the largest G_ii, hence more weight the
 * next round. Counted per round: the L1 change of p (oscillation), the largest
 * proportion (concentration), whether the least-sampled domain had the
 * largest G_ii, and whether the largest G_ii's domain got the most weight next.
 * The first two come from the proportions' own form (O(touched) when both
 * rounds' are sparse); the last two only for k up to {@link #MAX_DOMAINS}.
 */
final class RoundStats {
    /**
     * The Gram diagonal is taken only for k up to this (when it was the whole
     * k x k matrix, O(k^2 d)); it is one pass over the touched domains'
     * accumulators now, and the limit stays so that reports read as before.
     */
    static final int MAX_DOMAINS = 64;

    private int rounds, diagonalRounds, leastSampledLargestDiag, largestDiagTopNext;
    private double change, maxShare, peakShare, chance;

    /** One round: proportions in force during it, the next ones, the round (its row counts), the Gram diagonal G_ii (k, or null). */
    void add(DomainProportions before, DomainProportions nextMixture, RoundResult round, float[] gramDiagonal) {
        rounds++;
        double[] l1AndTop = nextMixture.l1DistanceAndMax(before);
        double top = l1AndTop[1];
        change += l1AndTop[0];
        maxShare += top;
        peakShare = Math.max(peakShare, top);
        if (gramDiagonal == null) return;
        float[] next = nextMixture.toArray();
        long[] counts = round.counts();
        int k = next.length;
        int present = 0, least = -1, largest = -1, heaviest = 0;
        for (int i = 0; i < k; i++) {
            if (next[i] > next[heaviest]) heaviest = i;
            if (counts[i] == 0) continue;
            present++;
            if (least < 0 || counts[i] < counts[least]) least = i;
            if (largest < 0 || gramDiagonal[i] > gramDiagonal[largest]) largest = i;
        }
        if (present < 2) return;
        diagonalRounds++;
        chance += 1.0 / present;
        if (least == largest) leastSampledLargestDiag++;
        if (largest == heaviest) largestDiagTopNext++;
    }

    String summary() {
        if (rounds == 0) return "";
        String s = String.format(Locale.ROOT, "R&B rounds: %d; mean L1 change of p per round %.3f; largest proportion %.3f on average, %.3f at most",
                rounds, change / rounds, maxShare / rounds, peakShare);
        if (diagonalRounds > 0) {
            s += String.format(Locale.ROOT, "; the least-sampled domain had the largest G_ii in %d of %d rounds (%.1f expected by chance),"
                    + " and the largest G_ii's domain got the most weight next in %d", leastSampledLargestDiag, diagonalRounds, chance, largestDiagTopNext);
        }
        return s;
    }
}
