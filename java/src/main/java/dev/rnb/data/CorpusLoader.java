package dev.rnb.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a corpus, whatever its form: a directory of text files (one
 * subdirectory per domain, {@link TextDirectoryReader}), a Parquet file
 * ({@link ParquetRecords}), or JSON Lines ({@link JsonlRecords}), plain, gzip
 * or zstd. The form is told by the content, not the file name.
 */
public final class CorpusLoader {
    private static final byte[] PARQUET_MAGIC = {'P', 'A', 'R', '1'};

    private CorpusLoader() {}

    /** Sends every example of {@code path} to {@code sink}, in file order; returns the number of bad lines skipped. */
    public static long forEach(Path path, LoadOptions options, Consumer<CorpusRecord> sink) {
        if (Files.isDirectory(path)) {
            return TextDirectoryReader.read(path, options, sink);
        }
        if (!Files.isRegularFile(path)) {
            throw new CorpusFormatException(path, 0, "no such file or directory");
        }
        return isParquet(path) ? ParquetRecords.read(path, options, sink) : JsonlRecords.read(path, options, sink);
    }

    /** The whole corpus in memory. */
    public static Corpus load(Path path, LoadOptions options) {
        List<String> texts = new ArrayList<>(), domains = new ArrayList<>();
        FloatList embeddings = options.embeddingField() == null ? null : new FloatList();
        int[] dim = {-1};
        long skipped = forEach(path, options, r -> {
            if (embeddings != null) {
                if (dim[0] >= 0 && r.embedding().length != dim[0]) {
                    throw new CorpusFormatException(r.source(), r.line(), "field \"" + options.embeddingField() + "\" has "
                            + r.embedding().length + " numbers, earlier lines have " + dim[0]);
                }
                dim[0] = r.embedding().length;
                embeddings.add(r.embedding());
            }
            texts.add(r.text());
            domains.add(r.domain());
        });
        if (texts.isEmpty()) {
            throw new CorpusFormatException(path, 0, skipped > 0 ? "no valid examples (" + skipped + " bad lines skipped)"
                    : Files.isDirectory(path) ? "no text files found in its subdirectories" : "empty file (no examples)");
        }
        return new Corpus(texts, domains, embeddings == null ? null : embeddings.toArray(), Math.max(dim[0], 0), skipped);
    }

    /** True for a Parquet file; a compressed one is an error (Parquet compresses its own pages; it is read in place). */
    private static boolean isParquet(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(PARQUET_MAGIC.length);
        } catch (IOException e) {
            throw CorpusFormatException.unreadable(file, e);
        }
        if (Arrays.equals(head, PARQUET_MAGIC)) {
            return true;
        }
        Compression compression = Compression.of(head, head.length);
        if (compression != Compression.NONE) {
            try (InputStream in = Compression.open(file)) {
                if (Arrays.equals(in.readNBytes(PARQUET_MAGIC.length), PARQUET_MAGIC)) {
                    throw new CorpusFormatException(file, 0, "a " + compression.name().toLowerCase()
                            + "-compressed Parquet file: decompress it first (Parquet compresses its own pages)");
                }
            } catch (IOException e) {
                throw new CorpusFormatException(file, 1, CorpusFormatException.oneLine(String.valueOf(e.getMessage())));
            }
        }
        return false;
    }
}
