package dev.rnb.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DomainSegmentsTest {

    @Test
    void groupsRowsByDomainStablyAndSkipsAbsentDomains() {
        DomainSegments s = DomainSegments.of(new int[] {2, 0, 2, 2, 0}, 5, 4);
        assertArrayEquals(new int[] {1, 4, 0, 2, 3}, s.rowOrder());
        assertArrayEquals(new int[] {0, 2}, s.segmentDomains());
        assertArrayEquals(new int[] {0, 2, 5}, s.segmentStarts());
        assertArrayEquals(new long[] {2, 0, 3, 0}, s.counts());
    }

    @Test
    void emptyBatchHasNoSegments() {
        DomainSegments s = DomainSegments.of(new int[0], 0, 3);
        assertEquals(0, s.segmentCount());
        assertArrayEquals(new int[] {0}, s.segmentStarts());
    }

    @Test
    void rowsMayBeAPrefixOfTheIds() {
        DomainSegments s = DomainSegments.of(new int[] {1, 1, 9}, 2, 2);
        assertArrayEquals(new long[] {0, 2}, s.counts());
    }

    @Test
    void outOfRangeDomainNamesTheRow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DomainSegments.of(new int[] {0, 5}, 2, 3));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DomainSegments.of(new int[] {-1}, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> DomainSegments.of(new int[] {0}, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> DomainSegments.of(new int[] {0}, 2, 1));
    }
}
