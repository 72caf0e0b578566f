package dev.rnb.balance;

import dev.rnb.backend.BalanceStep;
import dev.rnb.data.DomainProportions;

/**
 * What one R&amp;B round produced, in O(touched) memory: p' in the form the
 * update gave it (sparse under the paper's rule for absent domains) and the
 * row counts of the touched domains only.
 *
 * @param round         0-based index of the round that just ended
 * @param mixture       the training proportions for the next round
 * @param status        updated, or why the round was skipped (proportions kept)
 * @param touched       the domains that had rows this round (distinct)
 * @param touchedCounts rows seen this round by each of {@code touched}
 */
public record RoundResult(int round, DomainProportions mixture, BalanceStep.Status status, int[] touched, long[] touchedCounts) {
    /** All k proportions (O(k)). */
    public float[] proportions() { return mixture.toArray(); }

    /** Rows seen per domain during the round, all k (O(k)). */
    public long[] counts() {
        long[] counts = new long[mixture.domains()];
        for (int s = 0; s < touched.length; s++) counts[touched[s]] = touchedCounts[s];
        return counts;
    }
}
