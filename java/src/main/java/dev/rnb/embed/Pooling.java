package dev.rnb.embed;

/**
 * How a text's token vectors become one vector; then it is L2-normalised.
 * Sentence-transformers models say which in 1_Pooling/config.json.
 */
enum Pooling {
    /** The mean of the token vectors over the attention mask (special tokens included, padding excluded). */
    MEAN,
    /** The first token's vector ([CLS]). */
    CLS
}
