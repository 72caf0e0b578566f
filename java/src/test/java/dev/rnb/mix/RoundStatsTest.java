package dev.rnb.mix;

import org.junit.jupiter.api.Test;

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
        stats.add(uniform, new float[] {0.2f, 0.7f, 0.1f}, new long[] {5, 2, 0}, new float[] {1f, 3f, 0f});
        // Domain 0 has the largest G_ii and the most weight next, domain 1 is still the least sampled.
        stats.add(new float[] {0.2f, 0.7f, 0.1f}, new float[] {0.6f, 0.3f, 0.1f}, new long[] {5, 2, 0},
                new float[] {5f, 3f, 0f});
        // No diagonal (k above the limit): only the change and the largest proportion count.
        stats.add(new float[] {0.6f, 0.3f, 0.1f}, new float[] {0.5f, 0.4f, 0.1f}, new long[] {1, 1, 1}, null);
        String s = stats.summary();
        assertTrue(s.startsWith("R&B rounds: 3; mean L1 change of p per round 0.578; largest proportion 0.600 on average,"
                + " 0.700 at most"), s);
        assertTrue(s.endsWith("the least-sampled domain had the largest G_ii in 1 of 2 rounds (1.0 expected by chance),"
                + " and the largest G_ii's domain got the most weight next in 2"), s);
    }

    @Test
    void aRoundWithOnePresentDomainIsNotCounted() {
        RoundStats stats = new RoundStats();
        stats.add(new float[] {0.5f, 0.5f}, new float[] {0.5f, 0.5f}, new long[] {3, 0}, new float[] {2f, 0f});
        assertEquals(-1, stats.summary().indexOf("G_ii"), stats.summary());
    }
}
