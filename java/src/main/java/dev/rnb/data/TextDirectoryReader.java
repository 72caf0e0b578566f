package dev.rnb.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory whose subdirectories are the original domains, each holding one
 * UTF-8 text file per example: {@code root/<domain>/<any name>}. Files are read
 * in name order (subdirectory, then file), so the example order is
 * reproducible. Hidden entries (names starting with '.') are ignored.
 */
public final class TextDirectoryReader {
    private TextDirectoryReader() {}

    public static Corpus read(Path root, LoadOptions options) {
        List<String> texts = new ArrayList<>(), domains = new ArrayList<>();
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
                try {
                    texts.add(readText(file));
                    domains.add(domain);
                } catch (CorpusFormatException e) {
                    if (!options.skipBadLines()) {
                        throw e;
                    }
                    skipped++;
                }
            }
        }
        if (texts.isEmpty()) {
            throw new CorpusFormatException(root, 0, "no text files found in its subdirectories");
        }
        return new Corpus(texts, domains, null, 0, skipped);
    }

    private static String readText(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length == 0) {
                throw new CorpusFormatException(file, 0, "empty file");
            }
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CorpusFormatException(file, 0, "invalid UTF-8");
        } catch (IOException e) {
            throw CorpusFormatException.unreadable(file, e);
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
