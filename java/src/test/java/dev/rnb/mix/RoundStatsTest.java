package dev.rnb.mix;

import dev.rnb.backend.BalanceStep;
import dev.rnb.balance.RoundResult;
import dev.rnb.data.DomainProportions;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link RoundStats} from the Gram diagonal, on rounds worked out by hand. */
class RoundStatsTest {

    @Test
    void theNoiseFeedbackCountsComeFromTheDiagonal() {
        RoundStats stats = new RoundStats();
        float[] uniform = {1 / 3f, 1 / 3f, 1 / 3f};
        // Domain 1 is the least sampled (2 rows; domain 2 is absent) and has the
        // largest G_ii, and it gets the most weight next; chance is 1/2.
        add(stats, uniform, new float[] {0.2f, 0.7f, 0.1f}, new long[] {5, 2, 0}, new float[] {1f, 3f, 0f});
        // Domain 0 has the largest G_ii and the most weight next, domain 1 is still the least sampled.
        add(stats, new float[] {0.2f, 0.7f, 0.1f}, new float[] {0.6f, 0.3f, 0.1f}, new long[] {5, 2, 0},
                new float[] {5f, 3f, 0f});
        // No diagonal (k above the limit): only the change and the largest proportion count.
        add(stats, new float[] {0.6f, 0.3f, 0.1f}, new float[] {0.5f, 0.4f, 0.1f}, new long[] {1, 1, 1}, null);
        String s = stats.summary();
        assertTrue(s.startsWith("R&B rounds: 3; mean L1 change of p per round 0.578; largest proportion 0.600 on average,"
                + " 0.700 at most"), s);
        assertTrue(s.endsWith("the least-sampled domain had the largest G_ii in 1 of 2 rounds (1.0 expected by chance),"
                + " and the largest G_ii's domain got the most weight next in 2"), s);
    }

    @Test
    void aRoundWithOnePresentDomainIsNotCounted() {
        RoundStats stats = new RoundStats();
        add(stats, new float[] {0.5f, 0.5f}, new float[] {0.5f, 0.5f}, new long[] {3, 0}, new float[] {2f, 0f});
        assertEquals(-1, stats.summary().indexOf("G_ii"), stats.summary());
    }

    /** One round given densely: the proportions before and after, rows per domain (0: absent), the diagonal or null. */
    private static void add(RoundStats stats, float[] before, float[] next, long[] counts, float[] diagonal) {
        int[] touched = IntStream.range(0, counts.length).filter(i -> counts[i] > 0).toArray();
        long[] touchedCounts = Arrays.stream(touched).mapToLong(i -> counts[i]).toArray();
        DomainProportions nextMixture = DomainProportions.dense(next);
        stats.add(DomainProportions.dense(before), nextMixture,
                new RoundResult(0, nextMixture, BalanceStep.Status.UPDATED, touched, touchedCounts), diagonal);
    }
}
