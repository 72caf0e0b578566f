package dev.rnb.data;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rnb.testing.InputErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jazzer target for the Regroup stage's directory loader: the fuzz data
 * builds a small tree (domain folders with text files of any bytes, stray
 * files at the top, nested folders, symbolic links, hidden and odd names) and
 * the loader either returns every example under a domain folder's name or
 * throws a one-line {@link CorpusFormatException} naming a path under the
 * root. Anything else is a finding. The tree is at most 4 entries of at most
 * 3 files of at most 64 bytes, so one input costs a few file operations.
 * The plain test below is a crash fuzzing found, kept as a regression.
 */
class CorpusDirectoryFuzzTest {
    /** Names the fuzzer would take long to spell: hidden, spaces, control characters, non-ASCII, long. */
    private static final String[] ODD_NAMES = {".hidden", "with space", "new\nline", "tab\there", "caf\u00e9",
            "\u4e2d\u6587", "-dash", "a:1", "back\\slash", "x".repeat(200)};

    @TempDir
    Path dir;

    @FuzzTest
    void corpusDirectory(FuzzedDataProvider data) throws IOException {
        Path root = dir.resolve("corpus");
        deleteTree(root);
        Files.createDirectory(root);
        int entries = data.consumeInt(0, 4);
        for (int i = 0; i < entries; i++) {
            Path entry = child(root, name(data));
            if (entry == null) continue;
            try {
                switch (data.consumeInt(0, 3)) {
                    case 0 -> Files.write(entry, data.consumeBytes(64), CREATE_NEW); // a stray file at the top
                    case 1 -> {
                        Path target = child(root, name(data)); // a sibling, maybe missing; never outside the root
                        if (target != null) Files.createSymbolicLink(entry, target);
                    }
                    default -> {
                        Files.createDirectory(entry);
                        fill(entry, data);
                    }
                }
            } catch (FileSystemException | InvalidPathException e) {
                // a name this file system refuses (duplicate, too long, unmappable): not the loader's input
            }
        }
        LoadOptions options = new LoadOptions("text", "domain", null, data.consumeBoolean());
        Corpus c;
        try {
            c = CorpusLoader.load(root, options);
        } catch (CorpusFormatException e) {
            InputErrors.assertOneLine(root.toString(), e);
            return;
        }
        assertTrue(c.size() > 0);
        for (String d : c.domains()) {
            assertTrue(!d.startsWith(".") && Files.isDirectory(root.resolve(d)), () -> "domain " + d + " is no folder of the root");
        }
    }

    /** Regression (the first finding; its input is in the inputs folder too): a file name's newline made the message two lines. */
    @Test
    void aNewlineInAFileNameIsEscaped() throws IOException {
        Path root = Files.createDirectory(dir.resolve("corpus"));
        Files.write(root.resolve("stray\nfile"), new byte[] {'x'});
        CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(root, LoadOptions.defaults()));
        InputErrors.assertOneLine(root.toString(), e);
        assertTrue(e.getMessage().contains("stray\\x0afile: text files must sit in a subdirectory"), e.getMessage());
    }

    /** Up to 3 files (or, rarely, a nested folder, which the loader skips) in a domain folder. */
    private static void fill(Path domain, FuzzedDataProvider data) throws IOException {
        int files = data.consumeInt(0, 3);
        for (int j = 0; j < files; j++) {
            Path f = child(domain, name(data));
            if (f == null) continue;
            if (data.consumeInt(0, 7) == 0) {
                Files.createDirectory(f);
            } else {
                Files.write(f, data.consumeBytes(64), CREATE_NEW);
            }
        }
    }

    private static String name(FuzzedDataProvider data) {
        return data.consumeBoolean() ? data.pickValue(ODD_NAMES) : data.consumeString(12);
    }

    /** {@code parent/name} when {@code name} is one path component, else null. */
    private static Path child(Path parent, String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            return null;
        }
        try {
            return parent.resolve(name);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
