package dev.rnb.balance;

/**
 * A round's accumulators over the domains it touched, on the host, as a
 * reducer exchanges them: domain {@code domains[i]} saw {@code counts[i]}
 * rows (at least 1) and its accumulator is {@code blocks[i * dimension,
 * (i + 1) * dimension)}. O(touched x dimension), never O(k).
 *
 * @param domainCount k, the number of domains in all (every listed domain is below it)
 * @param dimension   floats per domain ({@link DomainGradients#dimension()})
 */
public record TouchedSlots(int domainCount, long dimension, int[] domains, long[] counts, float[] blocks) {
    public TouchedSlots {
        if (counts.length != domains.length || blocks.length != domains.length * dimension) {
            throw new IllegalArgumentException(domains.length + " domains need as many counts and " + domains.length * dimension
                    + " floats, got " + counts.length + " and " + blocks.length);
        }
    }

    /** How many domains are listed. */
    public int size() { return domains.length; }
}
