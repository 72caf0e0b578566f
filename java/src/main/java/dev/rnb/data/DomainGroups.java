package dev.rnb.data;

/**
 * A fixed partition of k domains into G groups, immutable and shared: what
 * the grouped form of {@link DomainProportions} refers to instead of copying
 * a k-int map into every round's proportions (R&amp;B over groups,
 * {@code rnb:hier}: the finest groups). Each group's members are kept in
 * increasing order, so a member is found in O(1) and a group's members are
 * listed in O(size).
 */
public final class DomainGroups {
    private final int[] groupOf;
    /** Group g's members are member[start[g] .. start[g + 1]), increasing. */
    private final int[] start;
    private final int[] member;
    /** The last other groups found to be the same partition: checking them again is O(1) (e.g. a data-parallel replica's every round). */
    private volatile DomainGroups sameAs;
    /** {@link #fingerprint}, computed on first use (0: not yet). */
    private volatile long fingerprint;

    /** groupOf[d]: the group (0 .. groups - 1) of domain d; every group has a member (copied). */
    public DomainGroups(int[] groupOf, int groups) {
        if (groups < 1) throw new IllegalArgumentException("need at least one group, got " + groups);
        this.groupOf = groupOf.clone();
        this.start = new int[groups + 1];
        for (int d = 0; d < groupOf.length; d++) {
            int g = groupOf[d];
            if (g < 0 || g >= groups) throw new IllegalArgumentException("domain " + d + " has group " + g + ", not in [0, " + groups + ")");
            start[g + 1]++;
        }
        for (int g = 0; g < groups; g++) {
            if (start[g + 1] == 0) throw new IllegalArgumentException("group " + g + " of " + groups + " has no member");
            start[g + 1] += start[g];
        }
        this.member = new int[groupOf.length];
        int[] next = java.util.Arrays.copyOf(start, groups);
        for (int d = 0; d < groupOf.length; d++) member[next[groupOf[d]]++] = d;
    }

    /** k. */
    public int domains() { return groupOf.length; }

    /** G. */
    public int groups() { return start.length - 1; }

    /** Domain d's group. */
    public int groupOf(int d) { return groupOf[d]; }

    /** The number of domains in group g. */
    public int size(int g) { return start[g + 1] - start[g]; }

    /** Group g's i-th member (increasing in i). */
    public int member(int g, int i) { return member[start[g] + i]; }

    /**
     * A 64-bit hash of the partition (k, G and every domain's group): what a
     * checkpoint of proportions grouped by it stores instead of the k-int map,
     * so that reading them back against other groups is an error rather than
     * other draws (StoredProportions). O(k) once, then O(1).
     */
    public long fingerprint() {
        long f = fingerprint;
        if (f == 0) {
            f = mix(groupOf.length * 0x9E3779B97F4A7C15L + groups());
            for (int g : groupOf) f = mix(f + g);
            if (f == 0) f = 1; // 0 marks "not computed"
            fingerprint = f;
        }
        return f;
    }

    /** SplitMix64's finaliser: each input bit changes about half of the output's. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Whether other puts every domain in the group of the same number: O(k) the first time for another object, then O(1). */
    public boolean samePartition(DomainGroups other) {
        if (other == this || other == sameAs) return true;
        if (other.groups() != groups() || !java.util.Arrays.equals(other.groupOf, groupOf)) return false;
        sameAs = other;
        return true;
    }
}
