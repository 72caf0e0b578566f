package dev.rnb.data;


/**
 * The one check every embedding passes on its way in, whatever reads it (a
 * whole .npy, a chunk of one, a JSONL field): values must be finite. A NaN
 * or an infinity would make a NaN centroid and put every row in cluster 0
 * without a word; here it is bad input naming the row and column.
 */
public final class Embeddings {
    private Embeddings() {}

    /**
     * Checks {@code rows} x {@code cols} values of {@code x} (row-major, from
     * index 0) that are rows {@code firstRow}... of {@code file}.
     */
    public static void requireFinite(String file, long line, float[] x, long firstRow, int rows, int cols) {
        long n = (long) rows * cols;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(x[i])) {
                String at = line > 0 ? "embedding column " + i % cols : "row " + (firstRow + i / cols) + ", column " + i % cols;
                throw new CorpusFormatException(file, line, at + " is " + x[i] + " (embeddings must be finite)");
            }
        }
    }
}
