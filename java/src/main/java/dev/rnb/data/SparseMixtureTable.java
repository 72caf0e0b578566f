package dev.rnb.data;

/**
 * Draws a domain from a sparse mixture (t listed domains with their own
 * weights, every other eligible domain one shared weight) in O(1) expected
 * per draw after an O(t) rebuild, with no k-element pass: first the group
 * (listed or rest) by the two groups' total weights, then within the listed
 * group from a Walker/Vose table over the t listed domains, or within the
 * rest uniformly, drawing an eligible domain uniformly and drawing again while
 * it is a listed one (a bitset of k bits marks them). The caller keeps the
 * listed domains below half of the eligible ones, so a rest draw takes fewer
 * than two tries on average; rejection keeps it exact.
 *
 * <p>The group, and the listed domain's point or the rest's index, come from
 * one generator call ({@link OneCallSplit}): its 64 bits below the listed
 * share of 2^64 draw from the listed domains, the rest from the rest, each
 * scaled by a multiplication (no modulus, no second call); a rest draw that
 * meets a listed domain draws again with a call of its own.
 *
 * <p>Grouped proportions ({@link #rebuildGrouped}: one shared weight per group
 * of a {@link DomainGroups} instead of one for all) are drawn the same way,
 * with one more step for the rest: a group from a Walker/Vose table over the
 * groups' total weights, then a uniform eligible member of it, both from the
 * same call's remainder ({@link GroupedRest}), drawn again (a call of its
 * own) while it is listed. A group whose listed members are not fewer than half of
 * its eligible ones is listed whole, so that step also takes fewer than two
 * tries on average.
 *
 * <p>The draws are a pure function of the arguments of {@link #rebuild} (of
 * the values and the groups for {@link #rebuildGrouped}) and the generator's
 * state (a resumed run draws the same domains).
 */
final class SparseMixtureTable {
    private final int domains;
    /** The eligible domains in increasing order, or null when every domain is eligible. */
    private final int[] eligible;
    private final int eligibleCount;
    /** Bit d set: domain d is eligible; null when every domain is. */
    private final long[] eligibleBits;
    /** Bit d set: domain d is listed. */
    private final long[] listedBits;
    /**
     * Two filters of the listed domains: for each listed d, the bit of its
     * low 15 bits set in the first, of its hash's top 15 bits in the second
     * (2^15 bits, 4 KiB a filter, which stay in cache). A rest draw tests the second only where the first's bit
     * is set (for a round's few hundred listed domains about 1% of draws), and
     * listedBits (k bits: 125 KiB at 10^6 domains, whose lines other work
     * evicts, so a cache miss a read) only where both are: about 0.01% of
     * draws besides the listed domains themselves. With the first filter
     * alone that miss on 1% of draws was a fifth of a draw's time at 10^6
     * (docs/scaling/draws.md, "One generator call"). The first filter takes
     * the domain's low bits, not a hash, so that most draws do no multiply
     * for it (docs/scaling/draws.md, "Toward parity"); listed domains that
     * share low bits (say, a stride of 2^15) only send more draws on to the
     * second filter, whose hash spreads them: the bitset still decides.
     */
    private final long[] listedFilter = new long[1 << FILTER_LOG2_BITS - 6], listedFilter2 = new long[1 << FILTER_LOG2_BITS - 6];
    /** The second filter's bit from a multiplicative hash of d (domains alike in their low bits spread): its top 15 bits. */
    private static final long FILTER_MULTIPLIER = 0x9E3779B97F4A7C15L;
    private static final int FILTER_LOG2_BITS = 15, FILTER_MASK = (1 << FILTER_LOG2_BITS) - 1;
    /** The listed/rest split of one generator call and its scalings (the rest's index unused when grouped). */
    private final OneCallSplit split;
    private int[] listed = new int[0];
    private int listedCount;
    private final DomainAliasTable listedTable = new DomainAliasTable(64);
    private double listedWeight;
    private double restWeight;
    /** Whether the rest is drawn group by group (the last rebuild was {@link #rebuildGrouped}). */
    private boolean grouped;
    /** The groups last drawn from, and their eligible members: group g's are groupMember[groupStart[g] .. groupStart[g + 1]). */
    private DomainGroups groups;
    private int[] groupStart, groupMember;
    /** The grouped rest's group and member from the split's remainder. */
    private final GroupedRest groupedRest = new GroupedRest();

    /** Over {@code domains} domains, of which those with {@code eligible.test(d)} may be drawn. */
    SparseMixtureTable(int domains, java.util.function.IntPredicate isEligible) {
        this.domains = domains;
        int count = 0;
        for (int d = 0; d < domains; d++) {
            if (isEligible.test(d)) count++;
        }
        eligibleCount = count;
        if (count == domains) {
            eligible = null;
            eligibleBits = null;
        } else {
            eligible = new int[count];
            eligibleBits = new long[(domains + 63) >>> 6];
            for (int d = 0, i = 0; d < domains; d++) {
                if (isEligible.test(d)) {
                    eligible[i++] = d;
                    eligibleBits[d >>> 6] |= 1L << d;
                }
            }
        }
        listedBits = new long[(domains + 63) >>> 6];
        split = new OneCallSplit(Math.max(1, count)); // count = domains where every domain is eligible
    }

    /** The number of eligible domains. */
    int eligibleCount() { return eligibleCount; }

    /**
     * Domain {@code ids[i]} (eligible, distinct, increasing) gets weight
     * {@code w[i]} for i &lt; n, every other eligible domain {@code rest}
     * (all finite and non-negative, n below half the eligible domains).
     * False, leaving the table as it was, when no domain gets positive weight.
     */
    boolean rebuild(int[] ids, float[] w, int n, float rest) {
        if (2L * n >= eligibleCount) {
            throw new IllegalArgumentException(n + " listed domains of " + eligibleCount + " eligible: not sparse");
        }
        double listedSum = 0;
        for (int i = 0; i < n; i++) listedSum += w[i];
        double restSum = (double) rest * (eligibleCount - n);
        if (listedSum == 0 && restSum == 0) return false;
        useListed(ids, w, n, listedSum);
        restWeight = restSum;
        grouped = false;
        if (restSum > 0) split.rebuild(listedSum, restSum, listedSum > 0 ? listedTable.columns() : 0); // rest 0: start() draws the listed table alone
        return true;
    }

    private void useListed(int[] ids, float[] w, int n, double listedSum) {
        if (listedSum > 0) listedTable.rebuild(w, ids, n, d -> true);
        // The filters' bits as isListed reads them: the first from d's low bits, the second from its hash.
        for (int i = 0; i < listedCount; i++) {
            int d = listed[i];
            listedBits[d >>> 6] = 0;
            listedFilter[(d & FILTER_MASK) >>> 6] = 0;
            listedFilter2[secondFilterBit(d) >>> 6] = 0;
        }
        if (listed.length < n) listed = new int[Math.max(n, 2 * listed.length)];
        System.arraycopy(ids, 0, listed, 0, n);
        listedCount = n;
        for (int i = 0; i < n; i++) {
            int d = ids[i], f = d & FILTER_MASK, f2 = secondFilterBit(d);
            listedBits[d >>> 6] |= 1L << d;
            listedFilter[f >>> 6] |= 1L << f;
            listedFilter2[f2 >>> 6] |= 1L << f2;
        }
        listedWeight = listedSum;
    }

    /** Whether domain d is listed: its first filter bit, where that is set its second, and where both are its bit in listedBits. */
    private boolean isListed(int d) {
        if ((listedFilter[(d & FILTER_MASK) >>> 6] & 1L << d) == 0) return false; // a shift takes its count mod 64: d's low 6 bits
        int f2 = secondFilterBit(d);
        return (listedFilter2[f2 >>> 6] & 1L << f2) != 0 && (listedBits[d >>> 6] & 1L << d) != 0;
    }

    /** d's bit in the second filter: its multiplicative hash's top 15 bits. */
    private static int secondFilterBit(int d) { return (int) (d * FILTER_MULTIPLIER >>> 64 - FILTER_LOG2_BITS); }

    private boolean eligible(int d) { return eligibleBits == null || (eligibleBits[d >>> 6] & 1L << d) != 0; }

    /**
     * Grouped proportions (values finite and non-negative): the listed
     * domains that are eligible and differ from their group's value get their
     * own weights, every other eligible member of a group the group's value;
     * a group of which those listed are not fewer than half of its eligible
     * members is listed whole. O(t log t + G) after the first rebuild with
     * these groups (O(k): each group's eligible members). False, leaving the
     * table as it was, when no domain gets positive weight.
     */
    boolean rebuildGrouped(DomainProportions p) {
        DomainGroups by = p.groups();
        if (by != groups) indexGroups(by);
        int t = p.listedCount(), groupCount = by.groups();
        long[] keyed = new long[t]; // domain << 32 | where its value is (an index into p's listed, or t + its group)
        int[] listedIn = new int[groupCount];
        int n = 0;
        for (int i = 0; i < t; i++) {
            int d = p.listedDomain(i), g = by.groupOf(d);
            if (p.listedValue(i) != p.groupRest(g) && eligible(d)) {
                keyed[n++] = (long) d << 32 | i;
                listedIn[g]++;
            }
        }
        MixtureSampler.sortByDomain(keyed, n, domains);
        int kept = n;
        for (int g = 0; g < groupCount; g++) {
            int from = groupStart[g], size = groupStart[g + 1] - from;
            if (size == 0 || 2L * listedIn[g] < size) continue;
            if (keyed.length < n + size - listedIn[g]) keyed = java.util.Arrays.copyOf(keyed, Math.max(2 * keyed.length, n + size));
            for (int j = from; j < groupStart[g + 1]; j++) {
                int d = groupMember[j];
                if (!isKept(keyed, kept, d)) keyed[n++] = (long) d << 32 | (t + g);
            }
            listedIn[g] = size;
        }
        if (n > kept) MixtureSampler.sortByDomain(keyed, n, domains);
        int[] ids = new int[n];
        float[] w = new float[n];
        double listedSum = 0;
        for (int j = 0; j < n; j++) {
            int at = (int) keyed[j];
            ids[j] = (int) (keyed[j] >>> 32);
            w[j] = at < t ? p.listedValue(at) : p.groupRest(at - t);
            listedSum += w[j];
        }
        float[] groupWeight = new float[groupCount];
        double restSum = 0;
        for (int g = 0; g < groupCount; g++) {
            double weight = (double) p.groupRest(g) * (groupStart[g + 1] - groupStart[g] - listedIn[g]);
            groupWeight[g] = (float) weight;
            restSum += weight;
        }
        if (listedSum == 0 && restSum == 0) return false;
        useListed(ids, w, n, listedSum);
        if (restSum > 0) {
            int[] size = new int[groupCount];
            for (int g = 0; g < groupCount; g++) size[g] = groupStart[g + 1] - groupStart[g];
            split.rebuild(listedSum, restSum, listedSum > 0 ? listedTable.columns() : 0);
            groupedRest.rebuild(groupWeight, size, groupCount, split.listedBound());
        }
        restWeight = restSum;
        grouped = true;
        return true;
    }

    /** Whether d is among the first n keys (sorted by domain). */
    private static boolean isKept(long[] keyed, int n, int d) {
        int lo = 0, hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1, at = (int) (keyed[mid] >>> 32);
            if (at == d) return true;
            if (at < d) lo = mid + 1;
            else hi = mid - 1;
        }
        return false;
    }

    /** Each group's eligible members, increasing: O(k), once per groups. */
    private void indexGroups(DomainGroups by) {
        if (by.domains() != domains) throw new IllegalArgumentException("groups over " + by.domains() + " domains, expected " + domains);
        int groupCount = by.groups();
        groupStart = new int[groupCount + 1];
        groupMember = new int[eligibleCount];
        for (int g = 0, at = 0; g < groupCount; g++) {
            for (int i = 0; i < by.size(g); i++) {
                int d = by.member(g, i);
                if (eligible(d)) groupMember[at++] = d;
            }
            groupStart[g + 1] = at;
        }
        groups = by;
    }

    /** Whether the listed domains' table is small enough to stay in cache (then a draw reads no line from memory). */
    boolean hasFewColumns() { return listedWeight == 0 || listedTable.columns() <= DomainAliasTable.CACHED_COLUMNS; }

    /**
     * One domain, drawn with probability proportional to its weight: the
     * domain {@link #finish}({@link #start}) gives, without the rest's
     * domain passing through a double (in a loop of draws that round trip,
     * an int to double and back, took about as long as the draw).
     */
    int draw(SeededRandom rng) {
        if (restWeight == 0) return listedTable.draw(rng);
        long x = rng.nextLong();
        return split.isListed(x) ? listedTable.domainAt(split.listedPoint(x)) : restDomain(x, rng);
    }

    /**
     * A draw's first part: every generator call it makes. A draw from the
     * listed domains returns its point in their table (&gt;= 0), whose column
     * {@link #finish} reads; a draw from the rest, which reads no table column
     * (only the listed bitset), returns -1 - its domain. So a caller drawing
     * many domains can take all starts first and then finish them, the column
     * reads overlapping, as for {@link DomainAliasTable#point}.
     */
    double start(SeededRandom rng) {
        if (restWeight == 0) return listedTable.point(rng);
        long x = rng.nextLong();
        return split.isListed(x) ? split.listedPoint(x) : -1 - restDomain(x, rng);
    }

    /**
     * The rest's domain from the split's bits x (at or above L): the
     * eligible domain of the rest's index, or grouped a member of the
     * group, and while it is listed another from a call of its own.
     */
    private int restDomain(long x, SeededRandom rng) {
        if (grouped) {
            long drawn = groupedRest.draw(x, rng);
            int g = (int) (drawn >>> 32), from = groupStart[g], size = groupStart[g + 1] - from, i = (int) drawn;
            while (true) {
                int d = groupMember[from + i];
                if (!isListed(d)) return d;
                i = OneCallSplit.uniformIndex(rng.nextLong(), size);
            }
        }
        int i = split.restIndex(x, rng);
        while (true) {
            int d = eligible == null ? i : eligible[i];
            if (!isListed(d)) return d;
            i = split.uniformIndex(rng.nextLong());
        }
    }

    /** Whether the rest is drawn group by group, its members read from the groups' member lists (k ints). */
    boolean isGrouped() { return grouped && restWeight > 0; }

    /**
     * Reads the member list entries that {@code count} grouped draws from a
     * generator in state {@code state} would read first, each followed by
     * {@code callsBetween} more generator calls (a row's example and offset),
     * and returns their sum (kept by the caller so the reads are not dropped).
     * Changes no state and decides nothing: the draws that follow find those
     * entries in the cache, their misses, one a draw at many domains, having
     * overlapped here instead of each waiting for the draw before. Where a
     * draw makes more calls than assumed (a listed member drawn again, a short
     * example), the entries read after it are other draws', which costs only
     * the misses.
     */
    int readMembersAhead(SeededRandom copy, long state, int count, int callsBetween, int[] positions) {
        int n = memberPositions(copy, state, count, callsBetween, positions);
        int sum = 0;
        for (int i = 0; i < n; i++) sum += groupMember[positions[i]];
        return sum;
    }

    /**
     * {@link #readMembersAhead}'s first half: the member list positions those
     * draws read first, into positions[0 .. n), n returned (a draw from the
     * listed domains reads none); nothing read yet, so that a caller can read
     * them ({@link #memberAt}) in a loop of its own whose misses they join.
     */
    int memberPositions(SeededRandom copy, long state, int count, int callsBetween, int[] positions) {
        copy.setState(state);
        int n = 0;
        for (int i = 0; i < count; i++) {
            long x = copy.nextLong();
            if (!split.isListed(x)) {
                long drawn = groupedRest.draw(x, copy);
                positions[n++] = groupStart[(int) (drawn >>> 32)] + (int) drawn;
            }
            for (int c = 0; c < callsBetween; c++) copy.nextLong();
        }
        return n;
    }

    /** The member list's entry at a position {@link #memberPositions} gave. */
    int memberAt(int position) { return groupMember[position]; }

    /** The domain of a draw {@link #start}ed: a rest domain as it is, a listed one from its table column. */
    int finish(double started) { return started < 0 ? (int) (-1 - started) : listedTable.domainAt(started); }
}
