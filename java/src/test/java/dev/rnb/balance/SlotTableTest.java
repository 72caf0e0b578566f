package dev.rnb.balance;

import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The touched domains' hash table answers what a map answers: random rounds
 * of random domains (ids clustered, consecutive and spread over 2^31, so
 * that probe chains form), entries kept across the table's growth, and
 * nothing of a round left after {@link SlotTable#clear} while its entries
 * still sit, stale, in the positions the next rounds probe.
 */
class SlotTableTest {

    @Test
    void answersAsAMapOverRoundsAndGrowth() {
        Rng rng = new Rng();
        SlotTable table = new SlotTable();
        table.reserve(4);
        int capacity = 4;
        for (int round = 0; round < 60; round++) {
            Map<Integer, Integer> want = new HashMap<>();
            int entries = 1 + rng.nextInt(round % 3 == 0 ? 300 : 40);
            int kind = rng.nextInt(3);
            int base = rng.nextInt(1 << 20);
            for (int i = 0; i < 3 * entries; i++) {
                int d = switch (kind) {
                    case 0 -> base + rng.nextInt(2 * entries); // clustered: repeats and neighbours
                    case 1 -> base + i; // consecutive ids
                    default -> rng.nextInt(Integer.MAX_VALUE); // spread
                };
                int found = table.find(d);
                Integer expected = want.get(d);
                if (expected != null) {
                    assertEquals(expected.intValue(), found, "domain " + d + " in round " + round);
                    continue;
                }
                assertTrue(found < 0, "domain " + d + " not entered this round has no slot, got " + found);
                if (want.size() == capacity) {
                    capacity *= 2;
                    table.reserve(capacity);
                    found = table.find(d);
                    assertTrue(found < 0, "still absent after the table grew");
                }
                table.put(~found, d, want.size());
                want.put(d, want.size());
            }
            for (Map.Entry<Integer, Integer> e : want.entrySet()) {
                assertEquals(e.getValue().intValue(), table.find(e.getKey()), "every entry of round " + round + " at its end");
            }
            table.clear();
            for (int d : want.keySet()) {
                assertTrue(table.find(d) < 0, "round " + round + "'s domain " + d + " gone after clear");
            }
        }
    }

    @Test
    void refusesMoreEntriesThanAnIntIndexesAtHalfLoad() {
        assertThrows(IllegalArgumentException.class, () -> new SlotTable().reserve(SlotTable.MAX_ENTRIES + 1));
    }
}
