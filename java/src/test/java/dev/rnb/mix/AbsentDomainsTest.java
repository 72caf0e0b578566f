package dev.rnb.mix;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The absent-domain setting of an R&amp;B method spec and the growing rounds, by hand. */
class AbsentDomainsTest {

    @Test
    void growingRoundsDrawAtLeastKSequences() {
        // K = 20 steps of B = 16 sequences: 320 sequences per round.
        assertEquals(20, AbsentDomains.GROW.stepsPerRound(100, 20, 16), "k = 100 < 320: K stays");
        assertEquals(20, AbsentDomains.GROW.stepsPerRound(320, 20, 16));
        assertEquals(21, AbsentDomains.GROW.stepsPerRound(321, 20, 16), "ceil(321 / 16)");
        assertEquals(64, AbsentDomains.GROW.stepsPerRound(1024, 20, 16));
        assertEquals(62_500, AbsentDomains.GROW.stepsPerRound(1_000_000, 20, 16));
        assertEquals(20, AbsentDomains.ZERO.stepsPerRound(1024, 20, 16), "the paper's rule keeps K");
        assertEquals(20, AbsentDomains.CARRY.stepsPerRound(1024, 20, 16));
    }

    @Test
    void methodSpecsNameTheRule() {
        MixOptions m = MixOptions.defaults(1);
        assertEquals(AbsentDomains.ZERO, m.absent());
        assertEquals(AbsentDomains.CARRY, m.with("absent", "carry").absent());
        assertEquals(AbsentDomains.GROW, m.with("absent", "grow").absent());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.with("absent", "skip"));
        assertEquals("absent must be zero, carry or grow, got 'skip'", e.getMessage());
    }
}
