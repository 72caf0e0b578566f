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
 * <p>The draws are a pure function of the arguments of {@link #rebuild} and
 * the generator's state (a resumed run draws the same domains).
 */
final class SparseMixtureTable {
    private final int domains;
    /** The eligible domains in increasing order, or null when every domain is eligible. */
    private final int[] eligible;
    private final int eligibleCount;
    /** Bit d set: domain d is listed. */
    private final long[] listedBits;
    private int[] listed = new int[0];
    private int listedCount;
    private final DomainAliasTable listedTable = new DomainAliasTable(64);
    private double listedWeight;
    private double restWeight;

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
        } else {
            eligible = new int[count];
            for (int d = 0, i = 0; d < domains; d++) {
                if (isEligible.test(d)) eligible[i++] = d;
            }
        }
        listedBits = new long[(domains + 63) >>> 6];
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
        if (listedSum > 0) listedTable.rebuild(w, ids, n, d -> true);
        for (int i = 0; i < listedCount; i++) listedBits[listed[i] >>> 6] = 0;
        if (listed.length < n) listed = new int[Math.max(n, 2 * listed.length)];
        System.arraycopy(ids, 0, listed, 0, n);
        listedCount = n;
        for (int i = 0; i < n; i++) listedBits[ids[i] >>> 6] |= 1L << ids[i];
        listedWeight = listedSum;
        restWeight = restSum;
        return true;
    }

    /** One domain, drawn with probability proportional to its weight. */
    int draw(SeededRandom rng) {
        boolean fromListed = restWeight == 0
                || listedWeight > 0 && rng.nextDouble() * (listedWeight + restWeight) < listedWeight;
        if (fromListed) return listedTable.draw(rng);
        while (true) {
            int d = eligible == null ? rng.nextInt(domains) : eligible[rng.nextInt(eligibleCount)];
            if ((listedBits[d >>> 6] & (1L << d)) == 0) return d;
        }
    }
}
