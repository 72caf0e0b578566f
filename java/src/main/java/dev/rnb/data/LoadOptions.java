package dev.rnb.data;

/**
 * How to read a corpus.
 *
 * @param textField      JSONL field holding the example's text (default "text")
 * @param domainField    optional JSONL field holding the original domain (default "domain");
 *                       a line without it has no domain
 * @param embeddingField JSONL field holding a precomputed embedding (array of numbers),
 *                       required on every line when set; null when embeddings come from elsewhere
 * @param skipBadLines   leave malformed lines out and count them, instead of failing
 */
public record LoadOptions(String textField, String domainField, String embeddingField, boolean skipBadLines) {
    public static LoadOptions defaults() {
        return new LoadOptions("text", "domain", null, false);
    }
}
