package dev.rnb.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A directory whose subdirectories are the original domains, each holding one
 * UTF-8 text file per example: {@code root/<domain>/<any name>}, plain, gzip
 * or zstd ({@link Compression}), a leading byte order mark dropped. Files are
 * read in name order (subdirectory, then file), so the example order is
 * reproducible. Hidden entries (names starting with '.') are ignored.
 */
final class TextDirectoryReader {
    private TextDirectoryReader() {}

    /** Sends each text file to {@code sink} as one example; returns the number of bad files skipped. */
    static long read(Path root, LoadOptions options, Consumer<CorpusRecord> sink) {
        if (options.embeddingField() != null) {
            throw new CorpusFormatException(root, 0, "a directory of text files has no field \"" + options.embeddingField()
                    + "\" (embeddings come with JSONL or a .npy file)");
        }
        long skipped = 0;
        for (Path dir : sortedEntries(root)) {
            if (!Files.isDirectory(dir)) {
                throw new CorpusFormatException(dir, 0, "text files must sit in a subdirectory named after their domain");
            }
            String domain = dir.getFileName().toString();
            for (Path file : sortedEntries(dir)) {
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                String text;
                try {
                    text = readText(file);
                } catch (CorpusFormatException e) {
                    if (!options.skipBadLines()) {
                        throw e;
                    }
                    skipped++;
                    continue;
                }
                sink.accept(new CorpusRecord(file, 0, text, domain, null, null));
            }
        }
        return skipped;
    }

    private static String readText(Path file) {
        byte[] bytes;
        try (InputStream in = Compression.open(file)) {
            bytes = in.readAllBytes();
        } catch (FileSystemException e) {
            throw CorpusFormatException.unreadable(file, e);
        } catch (IOException e) {
            throw new CorpusFormatException(file, 0, CorpusFormatException.oneLine(String.valueOf(e.getMessage())));
        }
        int from = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        if (bytes.length == from) {
            throw new CorpusFormatException(file, 0, "empty file");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, bytes.length - from)).toString();
        } catch (CharacterCodingException e) {
            throw new CorpusFormatException(file, 0, "invalid UTF-8");
        }
    }

    private static List<Path> sortedEntries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw CorpusFormatException.unreadable(dir, e);
        }
    }
}
