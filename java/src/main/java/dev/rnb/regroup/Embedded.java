package dev.rnb.regroup;

import dev.rnb.data.BadInputException;
import dev.rnb.data.Corpus;
import dev.rnb.data.Npy;

/**
 * The embeddings of a training and an evaluation set, from one of three
 * sources: an embedder of dev.rnb.embed (--embedder), an {@code embedding} array
 * field of the JSONL, or .npy matrices. Row counts and widths are checked
 * here, so a mismatch is one clear error before any clustering starts.
 */
public record Embedded(float[] train, float[] eval, int dims, String source) {

    public static Embedded fromField(Corpus train, Corpus eval, String field) {
        if (!train.hasEmbeddings() || !eval.hasEmbeddings()) {
            throw new BadInputException("field \"" + field + "\" embeddings are missing from the " + (train.hasEmbeddings() ? "evaluation" : "training") + " input");
        }
        if (train.embeddingDim() != eval.embeddingDim()) {
            throw new BadInputException("field \"" + field + "\": training embeddings have " + train.embeddingDim()
                    + " dims, evaluation embeddings " + eval.embeddingDim());
        }
        return new Embedded(train.embeddings(), eval.embeddings(), train.embeddingDim(), "JSONL field \"" + field + "\"");
    }

    /** Checks that an .npy matrix has one row per example of {@code corpus} (its values were checked as it was read: {@link Npy#readRows}). */
    public static void checkRows(Npy.Matrix m, Corpus corpus, String what) {
        if (m.rows() != corpus.size()) {
            throw new BadInputException(what + ": has " + m.rows() + " rows but the corpus has " + corpus.size() + " examples");
        }
    }

    public static Embedded fromMatrices(Npy.Matrix train, Npy.Matrix eval, String source) {
        if (train.cols() != eval.cols()) {
            throw new BadInputException(source + ": training embeddings have " + train.cols() + " dims, evaluation embeddings " + eval.cols());
        }
        return new Embedded(train.data(), eval.data(), train.cols(), source);
    }

    /** The rows {@code indices} of a row-major matrix of width dims. */
    public static float[] rows(float[] all, int dims, int[] indices) {
        float[] out = new float[indices.length * dims];
        for (int i = 0; i < indices.length; i++) System.arraycopy(all, indices[i] * dims, out, i * dims, dims);
        return out;
    }
}
