package dev.rnb.mix;

import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** lambda* = ln(k - 1) ||p|| / max p against hand values and its definition on fresh random proportions, and which note shows when. */
class LockThresholdTest {

    @Test
    void anEvaluationSetSpreadEvenlyOverMClusters() {
        Rng rng = new Rng();
        for (int trial = 0; trial < 50; trial++) {
            int k = 2 + rng.nextInt(100_000), m = 1 + rng.nextInt(Math.min(k, 1000));
            float[] p = new float[k];
            for (int i : rng.distinct(m, k)) p[i] = 1f / m;
            // max p = 1/m, ||p|| = 1/sqrt(m): lambda* = ln(k - 1) sqrt(m).
            double want = Math.log(k - 1) * Math.sqrt(m);
            assertEquals(want, LockThreshold.lambdaStar(p), 1e-5 * want, rng + ": k = " + k + ", m = " + m);
        }
    }

    @Test
    void randomProportionsAgainstTheDefinition() {
        Rng rng = new Rng();
        for (int trial = 0; trial < 50; trial++) {
            int k = 2 + rng.nextInt(5000);
            float[] p = new float[k];
            double sum = 0;
            for (int i = 0; i < k; i++) sum += p[i] = rng.nextInt(3) == 0 ? 0f : (float) rng.nextDouble();
            double max = 0, squares = 0;
            for (int i = 0; i < k; i++) {
                p[i] /= (float) sum;
                max = Math.max(max, p[i]);
                squares += (double) p[i] * p[i];
            }
            double want = max == 0 ? Double.NaN : Math.log(k - 1) / (max / Math.sqrt(squares));
            assertEquals(want, LockThreshold.lambdaStar(p), 1e-9 * want, rng + ": k = " + k);
        }
    }

    @Test
    void theNoteShowsAboveHalfOfLambdaStarAndSaysWhichSide() {
        float[] p = new float[256];
        for (int i = 0; i < 4; i++) p[i] = 0.25f; // lambda* = ln(255) * 2 = 11.08
        assertEquals("", LockThreshold.note(1f, p));
        assertEquals("", LockThreshold.note(5.5f, p));
        String between = LockThreshold.note(8f, p);
        assertTrue(between.startsWith("; lambda 8 is above lambda* / 2 (lambda* = 11.1 for this evaluation set"), between);
        String above = LockThreshold.note(16f, p);
        assertTrue(above.startsWith("; lambda 16 is above lambda* = 11.1 for this evaluation set"), above);
        assertTrue(LockThreshold.note(12.5f, p).startsWith("; lambda 12.5 is above lambda* ="), LockThreshold.note(12.5f, p));
        assertTrue(Double.isNaN(LockThreshold.lambdaStar(new float[] {1f})), "one domain: no other to lose to");
        assertTrue(Double.isNaN(LockThreshold.lambdaStar(new float[5])), "no evaluation share anywhere");
        assertEquals("", LockThreshold.note(100f, new float[5]));
        float[] few = new float[LockThreshold.MIN_DOMAINS - 1];
        for (int i = 0; i < 4; i++) few[i] = 0.25f;
        assertEquals("", LockThreshold.note(16f, few), "below MIN_DOMAINS domains no note");
    }
}
