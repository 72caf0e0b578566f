package dev.rnb.data;

import java.util.Collections;
import java.util.List;

/**
 * Byte sequences with a domain id each, and the domain names (id = index).
 * A domain may have no examples (an evaluation set need not cover every
 * training domain).
 *
 * <p>The examples of each domain are found through a flat index built in
 * O(n + k) by a counting sort: the example ids sorted by domain (stable, so
 * input order within a domain) and k + 1 offsets into them, with no object
 * per domain. Beside the ids it keeps each example's bytes in the same order,
 * so that the sampler's draw reads one offset pair and one array slot (not a
 * per-domain array, the example list and the example record): at 10^6 domains
 * each of those is a cache miss (docs/scaling/draws.md).
 */
public final class ByteDataset {
    private final List<TrainingExample> examples;
    private final List<String> domainNames;
    /** Domain d's examples are ids[offsets[d] .. offsets[d + 1]). */
    private final int[] offsets;
    private final int[] ids;
    /** bytesByDomain[j] = examples.get(ids[j]).bytes(). */
    private final byte[][] bytesByDomain;

    public ByteDataset(List<TrainingExample> examples, List<String> domainNames) {
        this.examples = List.copyOf(examples);
        this.domainNames = List.copyOf(domainNames);
        int k = this.domainNames.size(), n = this.examples.size();
        offsets = new int[k + 1];
        for (int i = 0; i < n; i++) {
            int d = this.examples.get(i).domain();
            if (d >= k) {
                throw new IllegalArgumentException("example " + i + " has domain " + d + " but only " + k + " domains are named");
            }
            offsets[d + 1]++;
        }
        for (int d = 0; d < k; d++) offsets[d + 1] += offsets[d];
        ids = new int[n];
        bytesByDomain = new byte[n][];
        int[] next = java.util.Arrays.copyOf(offsets, k);
        for (int i = 0; i < n; i++) {
            TrainingExample e = this.examples.get(i);
            int at = next[e.domain()]++;
            ids[at] = i;
            bytesByDomain[at] = e.bytes();
        }
    }

    public int size() { return examples.size(); }

    public TrainingExample get(int i) { return examples.get(i); }

    public List<TrainingExample> examples() { return examples; }

    public int domains() { return domainNames.size(); }

    public List<String> domainNames() { return Collections.unmodifiableList(domainNames); }

    /** Indices of the examples of domain d, in input order. */
    public int[] examplesOf(int d) { return java.util.Arrays.copyOfRange(ids, offsets[d], offsets[d + 1]); }

    /** How many examples domain d has (no copy, unlike {@link #examplesOf}). */
    public int countOf(int d) { return offsets[d + 1] - offsets[d]; }

    /** The bytes of domain d's j-th example (0 &lt;= j &lt; {@link #countOf}). */
    byte[] bytesOf(int d, int j) { return bytesByDomain[offsets[d] + j]; }

    /** Where domain d's j-th example sits in domain order: {@link #bytesAt} of it is {@link #bytesOf}(d, j). */
    int slotOf(int d, int j) { return offsets[d] + j; }

    /** The bytes of the example at a {@link #slotOf slot}. */
    byte[] bytesAt(int slot) { return bytesByDomain[slot]; }

    /** Fraction of examples in each domain (the evaluation proportions p of R&amp;B). */
    public float[] proportions() {
        float[] p = new float[domains()];
        for (int d = 0; d < p.length; d++) p[d] = size() == 0 ? 0f : (float) countOf(d) / size();
        return p;
    }
}
