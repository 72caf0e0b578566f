package dev.rnb.embed;

import dev.rnb.regroup.Embedded;

import java.util.List;

/** Turns the training and evaluation texts into embeddings (rnb's --embedder). */
public interface TextEmbedder extends AutoCloseable {
    /** One row per text, training rows then evaluation rows; an embedder that learns anything (IDF) learns it from {@code train} only. */
    Embedded embed(List<String> train, List<String> eval);

    /** A short name for labels: the model's, or "hashed TF-IDF". */
    String name();

    /** What embedded, for reports: model, provider, dimensions. */
    String description();

    @Override
    void close();
}
