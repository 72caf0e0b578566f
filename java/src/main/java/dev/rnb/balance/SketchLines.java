package dev.rnb.balance;

import dev.rnb.backend.BalanceOps;
import dev.rnb.backend.SketchHash;

/**
 * The column blocks ({@link BalanceOps#LIVE_BLOCK} floats, a cache line) of a
 * CountSketch row that a round's coordinates can reach. Every domain's
 * coordinates hash with the round's seed to the same buckets, so with
 * d = v x h below about (r / 16) ln(r / 16) some lines of every row stay zero
 * all round: at d = 64, r = 1024 about 40 of a row's 64 (each of the 64
 * coordinates lands in one of 64 lines). The end of the round reads and
 * zeroes only the live ones ({@link DomainGradients#gramTimesPThenReset}).
 * At a model head's d (GPT-2 small: 38.6 x 10^6 coordinates) every line is
 * live after a few hundred coordinates, and the hashing stops there.
 */
final class SketchLines {
    private SketchLines() {}

    /**
     * The live blocks, ascending, of an r-float sketch of {@code coordinates}
     * coordinates under {@code seed}; null when every block is live or r is
     * not a whole number of blocks (then the rows are read whole). O(min(d,
     * the coordinates hashed until every block is hit)).
     */
    static int[] live(long coordinates, int r, int seed) {
        int size = BalanceOps.LIVE_BLOCK;
        if (r % size != 0) {
            return null;
        }
        int blocks = r / size;
        boolean[] hit = new boolean[blocks];
        int live = 0;
        for (long i = 0; i < coordinates && live < blocks; i++) {
            int b = SketchHash.bucket(SketchHash.hash((int) i, seed), r) / size;
            if (!hit[b]) {
                hit[b] = true;
                live++;
            }
        }
        if (live == blocks) {
            return null;
        }
        int[] out = new int[live];
        for (int b = 0, n = 0; b < blocks; b++) {
            if (hit[b]) out[n++] = b;
        }
        return out;
    }
}
