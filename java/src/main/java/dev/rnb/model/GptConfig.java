package dev.rnb.model;

/**
 * Shape of the byte-level GPT: vocabulary 256 (bytes), {@code context}
 * positions, {@code layers} pre-LayerNorm blocks of width {@code channels}
 * with {@code heads} attention heads (channels must divide by heads).
 */
public record GptConfig(int context, int layers, int heads, int channels) {
    /** Byte-level vocabulary. */
    public static final int VOCAB = 256;

    public GptConfig {
        if (context < 1 || layers < 1 || heads < 1 || channels < 1) {
            throw new IllegalArgumentException("context, layers, heads and channels must be >= 1, got "
                    + context + ", " + layers + ", " + heads + ", " + channels);
        }
        if (channels % heads != 0) {
            throw new IllegalArgumentException("channels (" + channels + ") must be a multiple of heads (" + heads + ")");
        }
    }

    /** The demo's default: about 0.1 M parameters, trains to a visibly falling loss in a minute on 2 cores. */
    public static GptConfig small() {
        return new GptConfig(64, 2, 4, 64);
    }

    public int headSize() { return channels / heads; }
}
