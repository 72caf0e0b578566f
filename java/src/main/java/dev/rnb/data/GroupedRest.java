package dev.rnb.data;

/**
 * The rest of a grouped sparse mixture ({@link SparseMixtureTable#rebuildGrouped})
 * drawn from the remainder of {@link OneCallSplit}'s call: a group by a
 * Walker/Vose table over the groups' weights and a uniform index among the
 * group's members, both from the R = 2^64 - L values x - L of the split's
 * call (so a grouped draw, like an ungrouped one, takes one call; before,
 * the split, the group's point and the member's index took one each).
 *
 * <p>The remainder y in [0, R) gives the column j = floor(y G / R) and the
 * fraction f in [0, 2^64) of the way through it, both from one 128-bit
 * product y Q with Q = floor(G 2^(64 + s) / R) (the scaling of
 * {@link OneCallSplit}'s rest index: column j gets R / G values of y give or
 * take 3, and f is monotone in y within it). f below the column's keep K_j
 * (a fraction of 2^64) is its own group's, the rest its alias's, and the
 * member's index is f scaled to the part's size the same way:
 * floor(f size / K_j), or floor((f - K_j) size' / (2^64 - K_j)). A part
 * spans K_j R / (G 2^64) values of y, so each member of it gets its share
 * give or take 3 values of y for the column and 3 for the index, a
 * relative error of at most 6 / (values a member) of the part's mass; the
 * index is taken from f only where a member has at least 2^35 values (that
 * error below 2^-32), else from a call of its own (the high half of x
 * size: relative error at most size / 2^64 &lt; 2^-33). Likewise the column
 * and f come from the remainder only where R &gt;= 2^34 G (a rest share of
 * at least 2^-20 at 1,000 groups), else from a call of their own (R read as
 * 2^64). The Vose table's keeps are doubles rounded to 2^-64, as the dense
 * table's are doubles.
 */
final class GroupedRest {
    /** A member's index comes from f only where each member has at least 2^35 values of y. */
    private static final int MIN_BITS_PER_MEMBER = 35;
    /** The column comes from the remainder only where each column has at least 2^34 values of y. */
    private static final int MIN_BITS_PER_COLUMN = 34;

    /** A keep of 2^64 - 1 stands for 2^64: the column keeps its group for every f (it has no alias). */
    private static final long WHOLE = -1L;

    /** Column j: its keep K_j, unsigned (f &lt; K_j keeps it), its group and its alias's. */
    private long[] keep = new long[0];
    private int[] keptGroup = new int[0], aliasGroup = new int[0];
    /** The member's index in column j's kept part: high half of f Q shifted by s; s &lt; 0: a call of its own. */
    private long[] keptScale = new long[0], aliasScale = new long[0];
    private int[] keptShift = new int[0], aliasShift = new int[0];
    /** The column and f: from y = x - L when fromRemainder, else from a call of its own. */
    private boolean fromRemainder;
    private long listedBound, columnScale;
    private int columnShift;
    private int[] sizes;

    /**
     * For groups g &lt; groups of weight {@code weight[g]} (finite,
     * non-negative, some positive) and {@code size[g]} members (positive where
     * the weight is), after a split at {@code listedBound} (L, unsigned).
     */
    void rebuild(float[] weight, int[] size, int groups, long listedBound) {
        if (keep.length < groups) {
            keep = new long[groups];
            keptGroup = new int[groups];
            aliasGroup = new int[groups];
            keptScale = new long[groups];
            aliasScale = new long[groups];
            keptShift = new int[groups];
            aliasShift = new int[groups];
        }
        sizes = size;
        this.listedBound = listedBound;
        double[] scaled = vose(weight, groups);
        long r = -listedBound; // R = 2^64 - L, unsigned, 0 standing for 2^64
        fromRemainder = OneCallSplit.atLeast(r, groups, MIN_BITS_PER_COLUMN);
        if (!fromRemainder) r = 0; // a call of its own: 2^64 values
        columnShift = OneCallSplit.shiftFor(groups, r);
        columnScale = OneCallSplit.scaleFor(groups, r, columnShift);
        long perColumn = Long.divideUnsigned(r - 1, groups); // values of y a column, give or take 3
        for (int j = 0; j < groups; j++) {
            keep[j] = OneCallSplit.unsignedFloor(scaled[j] * 0x1p64); // exact scaling of the double keep: 1 gives WHOLE, below 1 less
            long keptSpan = keep[j] == WHOLE ? 0 : keep[j], aliasSpan = -keep[j]; // 0 standing for 2^64
            keptShift[j] = keep[j] == 0 ? -1 : memberShift(keptSpan, perColumn, size[keptGroup[j]]);
            keptScale[j] = keptShift[j] < 0 ? 0 : OneCallSplit.scaleFor(size[keptGroup[j]], keptSpan, keptShift[j]);
            aliasShift[j] = keep[j] == WHOLE ? -1 : memberShift(aliasSpan, perColumn, size[aliasGroup[j]]);
            aliasScale[j] = aliasShift[j] < 0 ? 0 : OneCallSplit.scaleFor(size[aliasGroup[j]], aliasSpan, aliasShift[j]);
        }
    }

    /**
     * The shift s for a part of {@code span} of f's 2^64 (unsigned, positive,
     * 0 for 2^64) with {@code members} members (index = high half of f Q
     * shifted by s for f in [0, span)), or -1 where a member would get fewer
     * than 2^35 values of y (of {@code perColumn} a column) or there is no
     * member: then the index takes a call of its own.
     */
    private static int memberShift(long span, long perColumn, int members) {
        long values = span == 0 ? perColumn : OneCallSplit.unsignedMultiplyHigh(span, perColumn); // the part's values of y
        if (members < 1 || Long.compareUnsigned(values >>> MIN_BITS_PER_MEMBER, members) < 0) return -1;
        return OneCallSplit.shiftFor(members, span);
    }

    /** Walker/Vose over the weights: keptGroup, aliasGroup set, each column's keep probability returned (1 where it has no alias). */
    private double[] vose(float[] weight, int groups) {
        double total = 0;
        for (int g = 0; g < groups; g++) total += weight[g];
        double[] scaled = new double[groups];
        int[] work = new int[groups];
        int small = 0, large = groups;
        for (int g = 0; g < groups; g++) {
            scaled[g] = weight[g] * (groups / total);
            keptGroup[g] = g;
            aliasGroup[g] = g;
            if (scaled[g] < 1) work[small++] = g;
            else work[--large] = g;
        }
        while (small > 0 && large < groups) {
            int s = work[--small], l = work[large++];
            aliasGroup[s] = l;
            scaled[l] = (scaled[l] + scaled[s]) - 1;
            if (scaled[l] < 1) work[small++] = l;
            else work[--large] = l;
        }
        // What is left is 1 up to rounding: those columns always keep their group.
        while (small > 0) scaled[work[--small]] = 1;
        while (large < groups) scaled[work[large++]] = 1;
        return scaled;
    }

    /** The group and the member's index (group &lt;&lt; 32 | index) of the split's bits x at or above L. */
    long draw(long x, SeededRandom rng) {
        long y = fromRemainder ? x - listedBound : rng.nextLong();
        long hi = OneCallSplit.unsignedMultiplyHigh(y, columnScale), lo = y * columnScale;
        int j = (int) (hi >>> columnShift);
        // The fraction's top 64 bits. columnShift is 33 to 63 (R >= 2^34 G, or 2^64 over G < 2^31), never 0, where
        // Java's hi << 64 would be hi, not 0.
        long f = hi << 64 - columnShift | lo >>> columnShift;
        if (Long.compareUnsigned(f, keep[j]) < 0 || keep[j] == WHOLE) return member(keptGroup[j], f, keptScale[j], keptShift[j], rng);
        return member(aliasGroup[j], f - keep[j], aliasScale[j], aliasShift[j], rng);
    }

    private long member(int g, long f, long scale, int shift, SeededRandom rng) {
        int index = shift >= 0 ? (int) (OneCallSplit.unsignedMultiplyHigh(f, scale) >>> shift)
                : OneCallSplit.uniformIndex(rng.nextLong(), sizes[g]);
        return (long) g << 32 | index;
    }

}
