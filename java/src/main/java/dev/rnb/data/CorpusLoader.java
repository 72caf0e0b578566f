package dev.rnb.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a corpus from a JSON Lines file or a directory of text files (one subdirectory per domain). */
public final class CorpusLoader {
    private CorpusLoader() {}

    public static Corpus load(Path path, LoadOptions options) {
        if (Files.isDirectory(path)) {
            return TextDirectoryReader.read(path, options);
        }
        if (!Files.isRegularFile(path)) {
            throw new CorpusFormatException(path, 0, "no such file or directory");
        }
        return JsonlCorpusReader.read(path, options);
    }
}
