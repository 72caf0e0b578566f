package dev.rnb.mix;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which note shows when: above lambda* / 2 or above lambda* (lambda* itself: dev.rnb.balance.LambdaRuleTest). */
class LockThresholdTest {

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
        assertEquals("", LockThreshold.note(100f, new float[5]));
        float[] few = new float[LockThreshold.MIN_DOMAINS - 1];
        for (int i = 0; i < 4; i++) few[i] = 0.25f;
        assertEquals("", LockThreshold.note(16f, few), "below MIN_DOMAINS domains no note");
    }
}
