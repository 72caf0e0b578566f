package dev.rnb.spark;

import java.io.Serializable;
import java.util.List;

/**
 * How to build an embedder on an executor. The spec travels with the tasks
 * (small, serializable); the embedder it opens (a model, weights, tables) is
 * built once per executor JVM by {@link ExecutorEmbedders} and shared by that
 * executor's tasks. The built-in hashed embedder is {@link HashedEmbedderSpec};
 * a neural one (ONNX) plugs in as another implementation whose {@code open}
 * loads the model file named in the spec.
 */
public interface EmbedderSpec extends Serializable {

    /** Identifies the embedder an executor caches: equal keys, one instance. */
    String key();

    /** For summary.json: what produced the embeddings. */
    String describe();

    int dims();

    /** Builds the embedder (called once per executor for each key). */
    Embedder open();

    /** A built embedder; called from several tasks of one executor at once, so it must be thread-safe. */
    interface Embedder {
        /** Row-major texts.size() x dims. */
        float[] embed(List<String> texts);
    }
}
