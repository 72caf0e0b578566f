package dev.rnb.data;

import java.nio.file.Path;

/**
 * One example as a corpus holds it: the file it came from and its line
 * (JSONL) or row (Parquet), 1-based, 0 where the file is the example (a text
 * file of a directory corpus); its text; its original domain (null where
 * the input names none); its record id (null where none); its embedding
 * (null unless {@link LoadOptions#embeddingField()} asks for one).
 */
public record CorpusRecord(Path source, long line, String text, String domain, String id, float[] embedding) {}
