package dev.rnb.balance;

import java.util.Arrays;

/**
 * The round's domain-to-slot map as an open-addressing hash table over the
 * touched domains only (issue #17): O(slots) memory, where a k-int array
 * (4 MiB at k = 10^6) made each domain's first lookup of a round a cache
 * and TLB miss, and freeing the slots at the round's end another one per
 * touched domain. Emptied in O(1): an entry counts only when its stamp is
 * the current generation, so {@link #clear} bumps the generation and writes
 * nothing. Linear probing; the table keeps at most half its entries full
 * ({@link #reserve}). Not thread-safe.
 */
final class SlotTable {
    private int[] domain = new int[0];
    private int[] slot = new int[0];
    private int[] stamp = new int[0];
    private int generation = 1;
    private int mask = -1;
    private int shift;

    /** Half of the largest power-of-two table an int indexes. */
    static final int MAX_ENTRIES = 1 << 29;

    /** Makes room for {@code entries} entries, keeping the current ones; a rehash when it grows. */
    void reserve(int entries) {
        if (entries > MAX_ENTRIES) {
            throw new IllegalArgumentException(entries + " slots: the slot table holds at most " + MAX_ENTRIES);
        }
        int size = Integer.highestOneBit(Math.max(8, entries) * 2 - 1) * 2; // a power of two >= 2 x entries
        if (size <= domain.length) {
            return;
        }
        int[] oldDomain = domain, oldSlot = slot, oldStamp = stamp;
        int live = generation;
        domain = new int[size];
        slot = new int[size];
        stamp = new int[size];
        mask = size - 1;
        shift = 32 - Integer.numberOfTrailingZeros(size);
        generation = 1;
        for (int i = 0; i < oldDomain.length; i++) {
            if (oldStamp[i] == live) {
                put(~find(oldDomain[i]), oldDomain[i], oldSlot[i]);
            }
        }
    }

    /**
     * The domain's slot (&gt;= 0), or, when it has none, ~(the position to
     * {@link #put} it at), which is negative: valid until the next put or clear.
     */
    int find(int d) {
        int at = (d * 0x9E3779B9) >>> shift; // Fibonacci hashing: consecutive ids spread over the table
        while (stamp[at] == generation) {
            if (domain[at] == d) {
                return slot[at];
            }
            at = (at + 1) & mask;
        }
        return ~at;
    }

    /** Enters d -&gt; s at the position {@link #find} gave (~ of its result); the caller keeps it under half full. */
    void put(int at, int d, int s) {
        domain[at] = d;
        slot[at] = s;
        stamp[at] = generation;
    }

    /** Forgets every entry: O(1), but for a pass over the stamps once every 2^31 - 1 clears. */
    void clear() {
        if (generation == Integer.MAX_VALUE) {
            Arrays.fill(stamp, 0);
            generation = 0;
        }
        generation++;
    }
}
