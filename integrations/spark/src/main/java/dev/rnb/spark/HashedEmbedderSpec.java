package dev.rnb.spark;

import dev.rnb.embed.HashingEmbedder;
import org.apache.spark.broadcast.Broadcast;

/**
 * rnb's built-in hashed TF-IDF embedder, with its document frequencies counted
 * over the training partitions (summed on the driver, then broadcast: 2^20
 * longs, 8 MiB), so it embeds exactly as {@code rnb regroup}'s fitted one.
 */
final class HashedEmbedderSpec implements EmbedderSpec {
    private final Broadcast<long[]> documentFrequencies;
    private final long documents;
    private final int dims;
    private final long seed;

    HashedEmbedderSpec(Broadcast<long[]> documentFrequencies, long documents, int dims, long seed) {
        this.documentFrequencies = documentFrequencies;
        this.documents = documents;
        this.dims = dims;
        this.seed = seed;
    }

    @Override
    public String key() {
        return "hashed/" + documentFrequencies.id() + "/" + dims + "/" + seed;
    }

    @Override
    public String describe() {
        return "builtin hashed TF-IDF (" + dims + " dims)";
    }

    @Override
    public int dims() {
        return dims;
    }

    @Override
    public Embedder open() {
        return HashingEmbedder.fromDocumentFrequencies(documentFrequencies.value(), documents, dims, seed)::embed;
    }
}
