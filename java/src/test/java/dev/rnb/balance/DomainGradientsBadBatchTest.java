package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.Tensor;
import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A batch with a bad domain id is rejected naming the first bad row, and
 * changes nothing: its earlier rows' new domains take no slot (every id is
 * checked before any slot is taken; a slot with no rows would give G a 1/0 scale).
 */
class DomainGradientsBadBatchTest {

    @Test
    void aBadBatchNamesTheRowAndLeavesTheRoundAsItWas() {
        Rng rng = new Rng();
        int h = 3, v = 5, rows = 12, k = 50;
        try (Backend b = Backends.open("cpu");
             DomainGradients g = new DomainGradients(b, k, h, v, SketchSpec.count(16), 7);
             Tensor th = b.allocate(rows * h); Tensor te = b.allocate(rows * v)) {
            float[] hs = rng.gaussian(rows * h), es = rng.gaussian(rows * v);
            b.upload(hs, 0, th, 0, hs.length);
            b.upload(es, 0, te, 0, es.length);
            int[] good = {4, 4, 4, 9, 9, 9, 4, 4, 1, 1, 1, 1};
            g.accumulate(th, te, rows, good);
            int[] touched = g.touchedDomains();
            long[] counts = g.counts();
            float[] before = g.toHost();
            // new domains 30 and 31 come before the bad id in row 7, and again after it
            int[] bad = {30, 30, 4, 31, 31, 31, 31, k, k, 30, 30, 30};
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.accumulate(th, te, rows, bad));
            assertTrue(e.getMessage().contains("row 7") && e.getMessage().contains("domain id " + k), e.getMessage());
            int[] negative = {4, -1, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4};
            e = assertThrows(IllegalArgumentException.class, () -> g.accumulate(th, te, rows, negative));
            assertTrue(e.getMessage().contains("row 1"), e.getMessage());
            assertArrayEquals(touched, g.touchedDomains());
            assertArrayEquals(counts, g.counts());
            assertArrayEquals(before, g.toHost());
            for (float scale : g.inverseSlotCounts()) assertTrue(Float.isFinite(scale));
            // the next good batch's new domain takes the next free slot
            int[] next = {30, 30, 30, 30, 4, 4, 4, 4, 4, 4, 4, 4};
            g.accumulate(th, te, rows, next);
            assertEquals(touched.length + 1, g.slots());
            assertEquals(30, g.domainOfSlot(touched.length));
            assertEquals(5 + 8, g.counts()[4]);
        }
    }
}
