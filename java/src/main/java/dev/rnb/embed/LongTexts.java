package dev.rnb.embed;

import java.util.Locale;

/**
 * What the neural embedder does with a text longer than the model's maximum
 * length (in tokens, special tokens included).
 */
public enum LongTexts {
    /** Keep the first maximum-length window (as sentence-transformers does). */
    TRUNCATE,
    /**
     * Split into consecutive windows of the maximum length, embed each, and
     * average the windows' pooled vectors weighted by their token counts,
     * then L2-normalise: every token counts once. Slower (every window is a
     * model input).
     */
    CHUNK;

    public static LongTexts parse(String s) {
        for (LongTexts v : values()) {
            if (v.name().toLowerCase(Locale.ROOT).equals(s)) return v;
        }
        throw new IllegalArgumentException("--long-texts must be truncate or chunk, got " + s);
    }

    @Override
    public String toString() { return name().toLowerCase(Locale.ROOT); }
}
