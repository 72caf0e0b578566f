package dev.rnb.embed;

import java.nio.file.Path;

/**
 * The --embedder option: {@code minilm} (the default: all-MiniLM-L6-v2,
 * built in), {@code hashed} (the built-in hashed TF-IDF embedder) or
 * {@code onnx:DIR} (a sentence-transformers ONNX export: DIR/model.onnx and
 * DIR/tokenizer.json). A model is loaded and checked here, so a bad one
 * fails before any corpus is read.
 */
public final class Embedders {
    public static final String DEFAULT = "minilm";
    public static final String DESCRIPTION = "minilm (all-MiniLM-L6-v2, built in), hashed (hashed TF-IDF, --dims) or onnx:DIR "
            + "(DIR/model.onnx + DIR/tokenizer.json, a sentence-transformers export) (default: " + DEFAULT + ")";

    /**
     * @param hashedDims dimensions of {@code hashed}
     * @param device     where ONNX Runtime runs a neural embedder
     * @param cacheDir   where neural embeddings are cached; null: not cached
     * @param progress   print a progress line while embedding
     */
    public record Settings(int hashedDims, long seed, EmbedderDevice device, LongTexts longTexts, Path cacheDir, boolean progress) {}

    private Embedders() {}

    public static TextEmbedder open(String option, Settings s) {
        int threads = Runtime.getRuntime().availableProcessors();
        if (option.equals("hashed")) return new HashedTextEmbedder(s.hashedDims(), s.seed());
        if (option.equals("minilm")) return OnnxEmbedder.builtin(threads, s.device(), s.longTexts(), s.cacheDir(), s.progress());
        if (option.startsWith("onnx:") && option.length() > "onnx:".length()) {
            return OnnxEmbedder.fromDirectory(Path.of(option.substring("onnx:".length())), threads, s.device(), s.longTexts(), s.cacheDir(), s.progress());
        }
        throw new IllegalArgumentException("--embedder must be minilm, hashed or onnx:DIR, got \"" + option + "\"");
    }
}
