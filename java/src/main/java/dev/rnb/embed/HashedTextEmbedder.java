package dev.rnb.embed;

import dev.rnb.regroup.Embedded;

import java.util.List;

/** {@code --embedder hashed}: the built-in {@link HashingEmbedder}, fitted on the training texts. */
record HashedTextEmbedder(int dims, long seed) implements TextEmbedder {
    @Override
    public Embedded embed(List<String> train, List<String> eval) {
        HashingEmbedder e = HashingEmbedder.fit(train, dims, seed);
        return new Embedded(e.embed(train), e.embed(eval), dims, description());
    }

    @Override
    public String name() { return "hashed TF-IDF"; }

    @Override
    public String description() { return "hashed TF-IDF (" + dims + " dims)"; }

    @Override
    public void close() {}
}
