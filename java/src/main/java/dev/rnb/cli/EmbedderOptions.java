package dev.rnb.cli;

import dev.rnb.embed.EmbedderDevice;
import dev.rnb.embed.Embedders;
import dev.rnb.embed.LongTexts;
import dev.rnb.embed.TextEmbedder;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** --embedder and its settings, shared by regroup, experiment and demo. */
final class EmbedderOptions {
    @Option(names = "--embedder", defaultValue = Embedders.DEFAULT, paramLabel = "minilm|hashed|onnx:DIR", description = Embedders.DESCRIPTION)
    String embedder;

    @Option(names = "--embedder-device", defaultValue = "auto", paramLabel = "auto|cpu|cuda",
            description = "Where ONNX Runtime runs a neural embedder: auto (CUDA where its provider loads, else the CPU, saying why), "
                    + "cpu, or cuda (an error, exit 6, where it does not load; needs an rnb built with -Ponnxruntime-gpu) (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--long-texts", defaultValue = "truncate", paramLabel = "truncate|chunk",
            description = "Neural embedder, texts over the model's maximum length: truncate (keep the first window) or chunk "
                    + "(average the windows, weighted by tokens) (default: ${DEFAULT-VALUE})")
    String longTexts;

    @Option(names = "--embedding-cache", paramLabel = "DIR|none",
            description = "Neural embeddings are cached here, keyed by the model and the texts (default: rnb-embedding-cache beside --out; none: no cache)")
    String cache;

    /**
     * Opens (and so checks) the embedder and prints one line saying what
     * embeds (for a neural one: the execution provider, and why not CUDA);
     * the cache defaults to a folder beside {@code out}.
     */
    TextEmbedder open(Path out, int hashedDims, long seed) {
        LongTexts policy = LongTexts.parse(longTexts);
        Path dir = "none".equals(cache) ? null
                : cache != null ? Path.of(cache) : out.toAbsolutePath().normalize().resolveSibling("rnb-embedding-cache");
        TextEmbedder e = Embedders.open(embedder, new Embedders.Settings(hashedDims, seed, EmbedderDevice.parse(device), policy, dir, true));
        System.out.println("embedder: " + e.description());
        return e;
    }
}
