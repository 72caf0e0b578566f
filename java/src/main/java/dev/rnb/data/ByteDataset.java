package dev.rnb.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Byte sequences with a domain id each, and the domain names (id = index).
 * A domain may have no examples (an evaluation set need not cover every
 * training domain).
 */
public final class ByteDataset {
    private final List<TrainingExample> examples;
    private final List<String> domainNames;
    private final int[][] byDomain;

    public ByteDataset(List<TrainingExample> examples, List<String> domainNames) {
        this.examples = List.copyOf(examples);
        this.domainNames = List.copyOf(domainNames);
        List<List<Integer>> lists = new ArrayList<>();
        for (int d = 0; d < domainNames.size(); d++) lists.add(new ArrayList<>());
        for (int i = 0; i < this.examples.size(); i++) {
            int d = this.examples.get(i).domain();
            if (d >= domainNames.size()) {
                throw new IllegalArgumentException("example " + i + " has domain " + d + " but only " + domainNames.size() + " domains are named");
            }
            lists.get(d).add(i);
        }
        byDomain = new int[domainNames.size()][];
        for (int d = 0; d < byDomain.length; d++) {
            byDomain[d] = lists.get(d).stream().mapToInt(Integer::intValue).toArray();
        }
    }

    public int size() { return examples.size(); }

    public TrainingExample get(int i) { return examples.get(i); }

    public List<TrainingExample> examples() { return examples; }

    public int domains() { return domainNames.size(); }

    public List<String> domainNames() { return Collections.unmodifiableList(domainNames); }

    /** Indices of the examples of domain d. */
    public int[] examplesOf(int d) { return byDomain[d].clone(); }

    int countOf(int d) { return byDomain[d].length; }

    int exampleOf(int d, int j) { return byDomain[d][j]; }

    /** Fraction of examples in each domain (the evaluation proportions p of R&amp;B). */
    public float[] proportions() {
        float[] p = new float[domains()];
        for (int d = 0; d < p.length; d++) p[d] = size() == 0 ? 0f : (float) byDomain[d].length / size();
        return p;
    }
}
