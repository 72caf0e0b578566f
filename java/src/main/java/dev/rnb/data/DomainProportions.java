package dev.rnb.data;

import java.util.Arrays;

/**
 * Training proportions over k domains, immutable: either k values (dense), or
 * t listed domains with their own values and one shared value for the other
 * k - t (sparse), or t listed domains and one shared value per group of a
 * {@link DomainGroups} for that group's other members (grouped, also
 * {@link #isSparse}). The sparse form is what R&amp;B's update produces under the
 * paper's rule (every domain a round did not touch has logit 0, so all of
 * them get the same proportion): at 10^6 domains a round touches a few
 * hundred, and passing p' as t values plus one keeps the balancer, the
 * strategy and the sampler free of k-element arrays (docs/SCALING.md §3).
 * The grouped form is what R&amp;B over groups ({@code rnb:hier}) produces:
 * an untouched domain's share depends on its finest group, the same for all
 * of that group's untouched members; the groups are shared, not copied.
 * {@link #toArray} expands any form (O(k)) for callers that need every
 * value, e.g. a checkpoint.
 */
public final class DomainProportions {
    private final int k;
    /** Dense: the k values; null when sparse. */
    private final float[] dense;
    /** Sparse: the listed domains (distinct), their values, and the value of every other domain. */
    private final int[] listed;
    private final float[] listedValues;
    private final float rest;
    /** Grouped: the groups, and each group's value for its members that are not listed; else null. */
    private final DomainGroups groups;
    private final float[] groupRests;

    private DomainProportions(int k, float[] dense, int[] listed, float[] listedValues, float rest) {
        this(k, dense, listed, listedValues, rest, null, null);
    }

    private DomainProportions(int k, float[] dense, int[] listed, float[] listedValues, float rest, DomainGroups groups, float[] groupRests) {
        this.k = k;
        this.dense = dense;
        this.listed = listed;
        this.listedValues = listedValues;
        this.rest = rest;
        this.groups = groups;
        this.groupRests = groupRests;
    }

    /** The k values p (copied). */
    public static DomainProportions dense(float[] p) {
        return new DomainProportions(p.length, p.clone(), null, null, 0f);
    }

    /** 1/k for each of k domains, in the sparse form (no domain listed: O(1)). */
    public static DomainProportions uniform(int k) {
        if (k < 1) throw new IllegalArgumentException("need at least one domain, got " + k);
        return new DomainProportions(k, null, new int[0], new float[0], 1f / k);
    }

    /**
     * Domain {@code domains[i]} gets {@code values[i]}, every other one of the
     * k domains {@code rest} (arrays copied; domains distinct, in [0, k)).
     */
    public static DomainProportions sparse(int k, int[] domains, float[] values, float rest) {
        if (domains.length != values.length) {
            throw new IllegalArgumentException(domains.length + " listed domains but " + values.length + " values");
        }
        if (domains.length > k) {
            throw new IllegalArgumentException(domains.length + " listed domains of " + k);
        }
        for (int d : domains) {
            if (d < 0 || d >= k) throw new IllegalArgumentException("listed domain " + d + " is not in [0, " + k + ")");
        }
        return new DomainProportions(k, null, domains.clone(), values.clone(), rest);
    }

    /**
     * Domain {@code domains[i]} gets {@code values[i]}, every other member of
     * group g of {@code groups} gets {@code rests[g]} (arrays copied, the
     * groups shared; domains distinct, in [0, k)). O(t + G).
     */
    public static DomainProportions grouped(DomainGroups groups, int[] domains, float[] values, float[] rests) {
        if (rests.length != groups.groups()) {
            throw new IllegalArgumentException(rests.length + " group values for " + groups.groups() + " groups");
        }
        DomainProportions listedPart = sparse(groups.domains(), domains, values, 0f); // the same checks, and the copies
        return new DomainProportions(groups.domains(), null, listedPart.listed, listedPart.listedValues, 0f, groups, rests.clone());
    }

    /** k. */
    public int domains() { return k; }

    /** Listed values plus one shared value, or plus one per group (grouped): not k values. */
    public boolean isSparse() { return dense == null; }

    /** Sparse or grouped: how many domains are listed (t). */
    public int listedCount() { return listed.length; }

    /** Sparse or grouped: the i-th listed domain. */
    public int listedDomain(int i) { return listed[i]; }

    /** Sparse or grouped: the i-th listed domain's value. */
    public float listedValue(int i) { return listedValues[i]; }

    /** Sparse with one shared value only: the value of every domain that is not listed. */
    public float rest() {
        if (groups != null) throw new IllegalStateException("grouped proportions have a value per group");
        return rest;
    }

    /** Whether this is the grouped form. */
    public boolean isGrouped() { return groups != null; }

    /** Grouped only: the groups (shared). */
    public DomainGroups groups() { return groups; }

    /** Grouped only: the value of group g's members that are not listed. */
    public float groupRest(int g) { return groupRests[g]; }

    /** Sparse or grouped: the value of a domain that is not listed, in group g (any g when one value is shared). */
    private float restOfGroup(int g) { return groups == null ? rest : groupRests[g]; }

    /** All k values (a fresh array; O(k)). */
    public float[] toArray() {
        if (dense != null) return dense.clone();
        float[] p = new float[k];
        if (groups != null) {
            for (int g = 0; g < groupRests.length; g++) {
                for (int i = 0; i < groups.size(g); i++) p[groups.member(g, i)] = groupRests[g];
            }
        } else if (rest != 0f) {
            Arrays.fill(p, rest);
        }
        for (int i = 0; i < listed.length; i++) p[listed[i]] = listedValues[i];
        return p;
    }

    /**
     * The same values grouped by {@code groups}: this when it already is;
     * the same entries over {@code groups} when this is grouped by the same
     * partition in another object ({@link DomainGroups#samePartition}: e.g. a
     * data-parallel replica holding replica 0's p'); from one shared value
     * O(t + G) (the same listed domains, every group's value the shared one);
     * otherwise O(k), each group's value the one most of its members have
     * (Boyer-Moore's vote), its other members listed.
     */
    public DomainProportions groupedBy(DomainGroups groups) {
        if (groups.domains() != k) throw new IllegalArgumentException(k + " domains grouped by groups of " + groups.domains());
        if (this.groups == groups) return this;
        if (this.groups != null && groups.samePartition(this.groups)) {
            return new DomainProportions(k, null, listed, listedValues, 0f, groups, groupRests);
        }
        float[] rests = new float[groups.groups()];
        if (dense == null && this.groups == null) {
            Arrays.fill(rests, rest);
            return new DomainProportions(k, null, listed, listedValues, 0f, groups, rests);
        }
        float[] p = toArray();
        int others = 0;
        for (int g = 0; g < rests.length; g++) {
            float shared = Float.NaN;
            long votes = 0;
            for (int i = 0; i < groups.size(g); i++) {
                float v = p[groups.member(g, i)];
                if (votes == 0) {
                    shared = v;
                    votes = 1;
                } else {
                    votes += v == shared ? 1 : -1;
                }
            }
            rests[g] = shared;
            for (int i = 0; i < groups.size(g); i++) if (p[groups.member(g, i)] != shared) others++;
        }
        int[] ids = new int[others];
        float[] values = new float[others];
        for (int d = 0, i = 0; d < k; d++) {
            if (p[d] != rests[groups.groupOf(d)]) {
                ids[i] = d;
                values[i++] = p[d];
            }
        }
        return new DomainProportions(k, null, ids, values, 0f, groups, rests);
    }

    /**
     * The same values, sparse when more than half of the domains share one
     * value (found by Boyer-Moore's vote: O(k) for a dense form), else this.
     * E.g. for proportions read back from a checkpoint, which stores all k.
     */
    public DomainProportions compact() {
        if (dense == null) return this;
        float shared = Float.NaN;
        long votes = 0;
        for (float v : dense) {
            if (votes == 0) {
                shared = v;
                votes = 1;
            } else {
                votes += v == shared ? 1 : -1;
            }
        }
        int others = 0;
        for (float v : dense) if (v != shared) others++;
        if (2L * others >= k) return this;
        int[] ids = new int[others];
        float[] values = new float[others];
        for (int d = 0, i = 0; d < k; d++) {
            if (dense[d] != shared) {
                ids[i] = d;
                values[i++] = dense[d];
            }
        }
        return new DomainProportions(k, null, ids, values, shared);
    }

    /**
     * p_i w_i / sum_j p_j w_j for each domain i, dense (O(k)): R&amp;B's
     * {@code prior=natural} tilts the paper's p' by the training domains'
     * sizes this way, and a checkpoint's p' is tilted back by 1 / w.
     *
     * @param w k weights, finite and &gt;= 0, with sum_j p_j w_j &gt; 0
     */
    public DomainProportions weightedBy(float[] w) {
        if (w.length != k) throw new IllegalArgumentException(k + " proportions weighted by " + w.length + " weights");
        float[] p = toArray();
        double sum = 0;
        for (int i = 0; i < k; i++) {
            requireFiniteNonNegative("weight", i, w[i]);
            sum += (double) p[i] * w[i];
        }
        if (!(sum > 0) || Double.isInfinite(sum)) throw new IllegalArgumentException("the weighted proportions sum to " + sum);
        for (int i = 0; i < k; i++) p[i] = (float) (p[i] * (double) w[i] / sum);
        return new DomainProportions(k, p, null, null, 0f);
    }

    /**
     * min(c_i, alpha p_i) for each domain i, alpha &gt;= 1 chosen so that the
     * values sum to 1: the mixture closest to p in KL(. || p) that gives no
     * domain more than its limit c_i (the mass a value above its limit loses
     * goes to the others in proportion to their values). R&amp;B's {@code cap=m}
     * passes c_i = m q_i, q the training domains' sizes, so that no domain's
     * examples are read more than m times as often as drawing in proportion
     * to size reads them. This when no value is above its limit (the form
     * kept: a sparse p' stays sparse); otherwise dense, in expected O(k)
     * ({@link #capScale}).
     *
     * @param limit k limits, finite and &gt;= 0, that the domains with p_i &gt; 0 share at least 1 of
     */
    public DomainProportions cappedBy(float[] limit) {
        if (limit.length != k) throw new IllegalArgumentException(k + " proportions capped by " + limit.length + " limits");
        float[] p = toArray();
        double room = 0;
        int positive = 0;
        boolean over = false;
        for (int i = 0; i < k; i++) {
            requireFiniteNonNegative("limit", i, limit[i]);
            if (p[i] > 0) {
                room += limit[i];
                positive++;
            }
            over |= p[i] > limit[i];
        }
        if (!over) return this;
        if (room < 1) throw new IllegalArgumentException("limits of the domains with a positive share sum to " + room + " < 1: no mixture fits under them");
        double alpha = capScale(p, limit, positive);
        float[] out = new float[k];
        for (int i = 0; i < k; i++) out[i] = p[i] > 0 ? (float) Math.min(limit[i], alpha * p[i]) : 0f;
        return new DomainProportions(k, out, null, null, 0f);
    }

    /**
     * {@link #cappedBy}'s alpha: the root of F(alpha) = sum_i min(c_i, alpha p_i) = 1 over the domains with p_i &gt; 0,
     * F increasing and piecewise linear with a knee at each domain's reach c_i / p_i. Found as quickselect finds a
     * rank, in expected O(k): a reach drawn from the undecided domains splits them; F at that reach says on which side
     * alpha lies, which decides every domain on the other side (those below alpha held at their limits, those above
     * scaled); then alpha = (1 - their limits) / (the scaled ones' values). The pivots come from a generator seeded
     * by the count, so a run and its resume compute the same alpha to the bit.
     */
    private static double capScale(float[] p, float[] limit, int positive) {
        double[] value = new double[positive], cap = new double[positive];
        for (int i = 0, n = 0; i < p.length; i++) {
            if (p[i] > 0) {
                value[n] = p[i];
                cap[n++] = limit[i];
            }
        }
        java.util.SplittableRandom pick = new java.util.SplittableRandom(positive);
        double held = 0, scaled = 0; // the decided domains' limits (held) and values (scaled)
        int lo = 0, hi = positive;    // the undecided ones: [lo, hi)
        while (lo < hi) {
            int at = lo + pick.nextInt(hi - lo);
            double pivot = cap[at] / value[at];
            // Three ways: [lo, below) reach under the pivot, [below, above) at it, [above, hi) over it.
            int below = lo, above = hi, j = lo;
            double capUnder = 0, capAt = 0, valueAt = 0, valueOver = 0;
            while (j < above) {
                double reach = cap[j] / value[j];
                if (reach < pivot) {
                    capUnder += cap[j];
                    swap(value, cap, j++, below++);
                } else if (reach > pivot) {
                    valueOver += value[j];
                    swap(value, cap, j, --above);
                } else {
                    capAt += cap[j];
                    valueAt += value[j++];
                }
            }
            if (held + capUnder + capAt + pivot * (scaled + valueOver) <= 1) {
                held += capUnder + capAt; // alpha >= pivot: every domain reaching its limit at or below it is held there
                lo = above;
            } else {
                scaled += valueAt + valueOver; // alpha < pivot: every domain at or over it stays under its limit
                hi = below;
            }
        }
        return scaled > 0 ? (1 - held) / scaled : Double.POSITIVE_INFINITY; // none scaled: every limit sums to exactly 1
    }

    /** {@link #weightedBy}'s and {@link #cappedBy}'s check of their k values, each named by its index. */
    private static void requireFiniteNonNegative(String what, int i, float v) {
        if (!(v >= 0) || Float.isInfinite(v)) throw new IllegalArgumentException(what + " " + i + " is " + v + ", not finite and >= 0");
    }

    private static void swap(double[] a, double[] b, int i, int j) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
        t = b[i];
        b[i] = b[j];
        b[j] = t;
    }

    /**
     * (1 - u) p + u / k for each value, in the same form (sparse stays sparse:
     * O(t)); u = 0 returns this.
     */
    public DomainProportions mixWithUniform(float u) {
        if (u == 0f) return this;
        if (dense != null) {
            float[] out = new float[k];
            for (int i = 0; i < k; i++) out[i] = (1 - u) * dense[i] + u / k;
            return new DomainProportions(k, out, null, null, 0f);
        }
        float[] out = new float[listed.length];
        for (int i = 0; i < out.length; i++) out[i] = (1 - u) * listedValues[i] + u / k;
        float[] rests = null;
        if (groups != null) {
            rests = new float[groupRests.length];
            for (int g = 0; g < rests.length; g++) rests[g] = (1 - u) * groupRests[g] + u / k;
        }
        return new DomainProportions(k, null, listed, out, (1 - u) * rest + u / k, groups, rests);
    }

    /**
     * The L1 distance sum |this_i - other_i| and this's largest value, from
     * the forms' own entries where both are sparse (grouped ones by the same
     * groups, or one grouped and one with a single shared value: O(t + G)).
     */
    public double[] l1DistanceAndMax(DomainProportions other) {
        if (other.k != k) throw new IllegalArgumentException(k + " domains against " + other.k);
        DomainGroups by = groups != null ? groups : other.groups;
        boolean sameGroups = (groups == null || groups == by) && (other.groups == null || other.groups == by);
        if (dense != null || other.dense != null || !sameGroups) {
            float[] a = toArray(), b = other.toArray();
            double l1 = 0, top = 0;
            for (int i = 0; i < k; i++) {
                l1 += Math.abs(a[i] - b[i]);
                top = Math.max(top, a[i]);
            }
            return new double[] {l1, top};
        }
        // Both sparse: domains listed in neither differ by |rest - other.rest|;
        // a domain listed in one or both differs by its own values. Matched
        // through an open-addressing table of this form's listed domains
        // (primitive ints: a HashMap's boxes took 0.1 ms of the 0.2 ms end
        // of round at t = 320).
        int n = listed.length;
        int mask = Integer.highestOneBit(Math.max(1, 2 * n)) * 2 - 1;
        int[] table = new int[mask + 1]; // 1 + index into listed; 0 empty
        for (int i = 0; i < n; i++) {
            int at = mix(listed[i]) & mask;
            while (table[at] != 0) at = (at + 1) & mask;
            table[at] = i + 1;
        }
        float[] otherOfListed = new float[n];
        // Per group (by == null: one group of all k): the domains listed in either form.
        long[] union = new long[by == null ? 1 : by.groups()];
        for (int i = 0; i < n; i++) {
            int g = by == null ? 0 : by.groupOf(listed[i]);
            otherOfListed[i] = other.restOfGroup(g);
            union[g]++;
        }
        double l1 = 0, top = 0;
        for (int j = 0; j < other.listed.length; j++) {
            int d = other.listed[j], at = mix(d) & mask;
            while (table[at] != 0 && listed[table[at] - 1] != d) at = (at + 1) & mask;
            if (table[at] != 0) {
                otherOfListed[table[at] - 1] = other.listedValues[j];
            } else {
                int g = by == null ? 0 : by.groupOf(d);
                union[g]++;
                float mine = restOfGroup(g);
                l1 += Math.abs(mine - other.listedValues[j]);
                top = Math.max(top, mine);
            }
        }
        for (int i = 0; i < n; i++) {
            l1 += Math.abs(listedValues[i] - otherOfListed[i]);
            top = Math.max(top, listedValues[i]);
        }
        for (int g = 0; g < union.length; g++) {
            long size = by == null ? k : by.size(g);
            l1 += (double) (size - union[g]) * Math.abs(restOfGroup(g) - other.restOfGroup(g));
            if (union[g] < size) top = Math.max(top, restOfGroup(g));
        }
        return new double[] {l1, top};
    }

    /**
     * The Shannon entropy -sum p_i ln p_i in nats (0 ln 0 = 0), from the form's
     * own entries: O(k) dense, O(t) sparse, O(t + G) grouped. Its exponential
     * is the effective number of domains: k for the uniform mixture, 1 when
     * every draw comes from one domain, so a report can say how concentrated
     * a mixture of 10^6 domains is without expanding it.
     */
    public double entropy() {
        double h = 0;
        if (dense != null) {
            for (float v : dense) h -= plnp(v);
            return h;
        }
        for (float v : listedValues) h -= plnp(v);
        if (groups == null) return h - (double) (k - listed.length) * plnp(rest);
        long[] unlisted = new long[groupRests.length];
        for (int g = 0; g < unlisted.length; g++) unlisted[g] = groups.size(g);
        for (int d : listed) unlisted[groups.groupOf(d)]--;
        for (int g = 0; g < unlisted.length; g++) h -= unlisted[g] * plnp(groupRests[g]);
        return h;
    }

    private static double plnp(float v) {
        return v > 0 ? v * Math.log(v) : 0;
    }

    /** A domain id's table position before masking (Fibonacci hashing: consecutive ids spread). */
    private static int mix(int domain) {
        int h = domain * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
