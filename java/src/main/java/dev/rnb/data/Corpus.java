package dev.rnb.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Examples loaded from one or more sources: their texts, their original
 * domains (null where the input names none) and, when the input carries
 * them, precomputed embeddings (row-major, {@code size() x embeddingDim()}).
 *
 * @param skippedLines malformed lines left out under --skip-bad-lines
 */
public record Corpus(List<String> texts, List<String> domains, float[] embeddings, int embeddingDim, long skippedLines) {

    public Corpus {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(domains, "domains");
        if (domains.size() != texts.size()) {
            throw new IllegalArgumentException(texts.size() + " texts but " + domains.size() + " domains");
        }
        if (embeddings != null && (embeddingDim < 1 || embeddings.length != (long) texts.size() * embeddingDim)) {
            throw new IllegalArgumentException("embeddings hold " + embeddings.length + " floats, expected "
                    + texts.size() + " x " + embeddingDim);
        }
    }

    public int size() { return texts.size(); }

    /** True when every example names an original domain. */
    public boolean hasDomains() {
        return !domains.isEmpty() && domains.stream().allMatch(Objects::nonNull);
    }

    public boolean hasEmbeddings() { return embeddings != null; }

    /** The examples at {@code indices}, in that order. */
    public Corpus select(int[] indices) {
        List<String> t = new ArrayList<>(indices.length), d = new ArrayList<>(indices.length);
        float[] e = embeddings == null ? null : new float[indices.length * embeddingDim];
        for (int i = 0; i < indices.length; i++) {
            t.add(texts.get(indices[i]));
            d.add(domains.get(indices[i]));
            if (e != null) {
                System.arraycopy(embeddings, indices[i] * embeddingDim, e, i * embeddingDim, embeddingDim);
            }
        }
        return new Corpus(t, d, e, embeddingDim, 0);
    }
}
