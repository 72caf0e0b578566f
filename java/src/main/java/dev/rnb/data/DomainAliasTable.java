package dev.rnb.data;

import java.util.function.IntPredicate;

/**
 * Walker/Vose alias table over domains: O(1) per draw (one generator call),
 * O(k) to rebuild, and no allocation after construction (k = 10^6 domains
 * take 20 bytes each).
 *
 * <p>Only domains that are eligible (e.g. have examples) and have positive
 * weight enter the table; column j holds its domain with probability
 * keep_j and otherwise its alias's domain. A column is two adjacent longs
 * (keep_j's bits; the column's domain and the alias's domain), so a draw reads
 * one cache line of the table whatever k is: at 10^6 domains separate arrays
 * for keep, domain and alias cost a cache miss each. The table is a pure
 * function of the weights, so restoring the weights and the generator state
 * reproduces every later draw.
 *
 * <p>Where column j holds domain j (every domain has weight and is eligible)
 * and the table is too large to stay in cache, a draw whose point lands
 * below the smallest keep of any column returns its column's domain without
 * reading the column: the same domain the column would give (a squeeze, as in
 * Marsaglia's rejection sampling). Near-uniform weights, such as R&B's p' at
 * many domains under lambda = 1 or a uniform mixture, keep nearly every
 * column whole, so nearly every draw at 10^6 domains then reads no line of the
 * 16 MiB table.
 */
final class DomainAliasTable {
    /** Column j: table[2j] = bits of keep_j, table[2j + 1] = domain_j &lt;&lt; 32 | alias domain_j (0 where keep_j is 1: never read). */
    private long[] table;
    private int[] work;
    private int columns;
    /**
     * Points whose fraction is below this return their column's domain
     * unread (0: every draw reads its column): the smallest keep of any
     * column where column j holds domain j and there are more than
     * {@link #CACHED_COLUMNS} columns.
     */
    private double unreadBelow;
    /** Tables of up to this many columns (16 bytes each: 64 KiB) stay in cache, where reading a column costs less than a mispredicted branch. */
    static final int CACHED_COLUMNS = 1 << 12;

    /** Room for {@code capacity} columns; a rebuild over more entries grows it. */
    DomainAliasTable(int capacity) {
        table = new long[2 * capacity];
        work = new int[capacity];
    }

    /**
     * Rebuilds the table for weights {@code w} (finite, non-negative, any
     * scale) over the eligible domains; false, leaving the table as it was,
     * when no eligible domain has positive weight.
     */
    boolean rebuild(float[] w, IntPredicate eligible) { return rebuild(w, null, w.length, eligible); }

    /**
     * The same over n entries: entry i has weight w[i] and is domain ids[i]
     * (ids null: domain i), e.g. the listed domains of a sparse mixture.
     */
    boolean rebuild(float[] w, int[] ids, int n, IntPredicate eligible) {
        double total = 0;
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (w[i] > 0 && eligible.test(ids == null ? i : ids[i])) {
                total += w[i];
                m++;
            }
        }
        if (m == 0) return false;
        if (work.length < m) {
            table = new long[2 * m];
            work = new int[m];
        }
        columns = 0;
        for (int i = 0; i < n; i++) {
            int d = ids == null ? i : ids[i];
            if (w[i] > 0 && eligible.test(d)) {
                setKeep(columns, w[i] * (m / total)); // mean 1 over the m columns
                table[2 * columns + 1] = (long) d << 32;
                columns++;
            }
        }
        // Vose: columns below 1 ("small") are stacked from the front of work,
        // the others ("large") from the back; each step fills one small column
        // from one large, so the two stacks never overlap.
        int small = 0, large = m;
        for (int j = 0; j < m; j++) {
            if (keep(j) < 1) work[small++] = j;
            else work[--large] = j;
        }
        double smallestKeep = 1; // of the columns taken as small, whose keep is then final; the rest end at 1
        while (small > 0 && large < m) {
            int s = work[--small], l = work[large++];
            smallestKeep = Math.min(smallestKeep, keep(s));
            // l's domain, read from the line keep(l) is read from anyway (a large column has no alias yet).
            table[2 * s + 1] |= table[2 * l + 1] >>> 32;
            setKeep(l, (keep(l) + keep(s)) - 1);
            if (keep(l) < 1) work[small++] = l;
            else work[--large] = l;
        }
        // What is left is 1 up to rounding: those columns always keep their domain.
        while (small > 0) setKeep(work[--small], 1);
        while (large < m) setKeep(work[large++], 1);
        unreadBelow = ids == null && m == n && m > CACHED_COLUMNS ? smallestKeep : 0;
        return true;
    }

    /** The columns of the last successful rebuild: {@link #point}s lie in [0, columns). */
    int columns() { return columns; }

    /** The share of draws that read no column: the fraction below which a point's column is not read (0: none). */
    double unreadShare() { return unreadBelow; }

    /**
     * Whether draws miss the cache rarely enough to be drawn one by one (the
     * table stays in cache, or at least 15 of 16 draws read no column), so
     * that starting many {@link #point}s first to overlap the column reads
     * would cost more than it saves.
     */
    boolean drawsFromCache() { return columns <= CACHED_COLUMNS || unreadBelow >= 15.0 / 16; }

    private double keep(int j) { return Double.longBitsToDouble(table[2 * j]); }

    private void setKeep(int j, double keep) { table[2 * j] = Double.doubleToRawLongBits(keep); }

    /** One domain, drawn with probability proportional to its weight (one generator call). */
    int draw(SeededRandom rng) { return domainAt(point(rng)); }

    /**
     * A draw's first half: its one generator call, as a point of [0, columns)
     * (reads none of the table's columns). A caller drawing many domains takes
     * all points first and then {@link #domainAt} of each, so that the column
     * reads, cache misses at many domains, do not wait on each other.
     */
    double point(SeededRandom rng) { return rng.nextDouble() * columns; }

    /**
     * A draw's second half: the domain at a {@link #point} (reads its column,
     * one line, unless the point's fraction is below every column's keep).
     */
    int domainAt(double x) {
        int j = Math.min((int) x, columns - 1);
        double fraction = x - j;
        if (fraction < unreadBelow) return j; // below keep_j too, and column j holds domain j
        long domains = table[2 * j + 1];
        return fraction < keep(j) ? (int) (domains >>> 32) : (int) domains;
    }
}
