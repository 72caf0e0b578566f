package dev.rnb.balance;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SketchSpecTest {

    @Test
    void parsesEveryFormAndReadsItsOwnCanonicalFormBack() {
        assertEquals(SketchSpec.EXACT, SketchSpec.parse("exact"));
        assertEquals(SketchSpec.EXACT, SketchSpec.parse("0"));
        assertEquals(SketchSpec.count(1024), SketchSpec.parse("1024"));
        assertEquals(SketchSpec.count(7), SketchSpec.parse("count:7"));
        assertEquals(SketchSpec.factored(64, 32), SketchSpec.parse("factored:64x32"));
        assertEquals(SketchSpec.factored(3, 5), SketchSpec.parse(" 3x5 "));
        for (SketchSpec s : new SketchSpec[] {SketchSpec.EXACT, SketchSpec.count(9), SketchSpec.factored(2, 4)}) {
            assertEquals(s, SketchSpec.parse(s.toString()));
        }
    }

    @Test
    void refusesBadSpecsNamingTheText() {
        for (String bad : new String[] {"-1", "count:0", "factored:0x4", "factored:4x", "4x4x4", "lots", "factored:65536x65536", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SketchSpec.parse(bad), bad);
            assertTrue(e.getMessage().contains("got '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void dimensionsAndFlops() {
        assertEquals(50257L * 768, SketchSpec.EXACT.dimension(50257, 768));
        assertEquals(1024, SketchSpec.count(1024).dimension(50257, 768));
        assertEquals(64 * 64, SketchSpec.factored(64, 64).dimension(50257, 768));
        assertEquals(2.0 * 10 * (100 * 4 + 8 * 2 + 4 * 2), SketchSpec.factored(4, 2).accumulateFlops(10, 3, 100, 8));
        assertEquals(2.0 * 3 * 100 * 8, SketchSpec.EXACT.accumulateFlops(10, 3, 100, 8));
    }
}
