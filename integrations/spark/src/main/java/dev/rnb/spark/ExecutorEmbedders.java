package dev.rnb.spark;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** One embedder per executor JVM and spec key, built by the first task that needs it. */
final class ExecutorEmbedders {
    private static final ConcurrentMap<String, EmbedderSpec.Embedder> OPEN = new ConcurrentHashMap<>();

    private ExecutorEmbedders() {}

    static EmbedderSpec.Embedder get(EmbedderSpec spec) {
        return OPEN.computeIfAbsent(spec.key(), k -> spec.open());
    }
}
