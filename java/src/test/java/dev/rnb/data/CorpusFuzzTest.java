package dev.rnb.data;

import dev.rnb.testing.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutation fuzzing of the Regroup stage's readers (see {@link Fuzz} for the
 * knobs): the JSONL corpus reader (with and without an embedding field), the
 * text-directory reader and the .npy reader. Every input loads, or is a
 * one-line {@link CorpusFormatException} naming the file; nothing else may escape.
 */
class CorpusFuzzTest {
    @TempDir
    Path dir;

    private static void oneLine(CorpusFormatException e, Path file) {
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), e.getMessage());
    }

    @Test
    void jsonlCorpusReader() {
        List<byte[]> seeds = new ArrayList<>();
        for (String s : new String[] {
                "{\"text\": \"hello\", \"domain\": \"a\", \"emb\": [1, 2.5, -3e2]}\n{\"text\": \"x\", \"domain\": 3, \"emb\": [0, 0, 1]}",
                "{\"text\": \"caf\\u00e9\", \"domain\": null, \"emb\": [1e-3, 2, 3]}\r\n\n{\"text\": \"\u4e2d\", \"emb\": [4, 5, 6]}"}) {
            seeds.add(s.getBytes(StandardCharsets.UTF_8));
        }
        Path file = dir.resolve("corpus.jsonl");
        LoadOptions plain = LoadOptions.defaults(), embedded = new LoadOptions("text", "domain", "emb", false),
                skipping = new LoadOptions("text", "domain", "emb", true);
        Fuzz.run("JsonlCorpusReader", seeds, input -> {
            Files.write(file, input);
            for (LoadOptions o : new LoadOptions[] {plain, embedded, skipping}) {
                try {
                    Corpus c = JsonlCorpusReader.read(file, o);
                    assertTrue(c.size() > 0);
                } catch (CorpusFormatException e) {
                    oneLine(e, file);
                }
            }
        });
    }

    @Test
    void textDirectoryReader() throws IOException {
        List<byte[]> seeds = List.of("plain text".getBytes(StandardCharsets.UTF_8), "caf\u00e9 \u4e2d \ud83d\ude00".getBytes(StandardCharsets.UTF_8));
        Path root = dir.resolve("corpus");
        Path file = Files.createDirectories(root.resolve("domain")).resolve("example.txt");
        Fuzz.run("TextDirectoryReader", seeds, input -> {
            Files.write(file, input);
            try {
                assertEquals(1, TextDirectoryReader.read(root, LoadOptions.defaults()).size());
            } catch (CorpusFormatException e) {
                assertTrue(e.getMessage().startsWith(root.toString()), e.getMessage());
            }
        });
    }

    @Test
    void npyReader() {
        List<byte[]> seeds = List.of(Npy.encode(3, 2, new float[] {1, -2, 3.5f, 0, 1e-3f, 7}),
                Npy.encode(2, 3, new float[] {1, 2, 3, 4, 5, 6}), Npy.encode(1, 1, new float[] {9}));
        Path file = dir.resolve("m.npy");
        Fuzz.run("Npy", seeds, input -> {
            Files.write(file, input);
            try {
                Npy.Matrix m = Npy.read(file);
                assertTrue(m.rows() >= 0 && m.cols() >= 0 && (long) m.rows() * m.cols() == m.data().length,
                        m.rows() + " x " + m.cols() + " with " + m.data().length + " floats");
            } catch (CorpusFormatException e) {
                oneLine(e, file);
            }
        });
    }

    /** Regression (found by npyReader): a dtype holding a newline made the error message two lines. */
    @Test
    void npyDtypeWithANewlineIsOneLine() throws IOException {
        byte[] ok = Npy.encode(1, 1, new float[] {9});
        String header = new String(ok, 10, ok.length - 14, StandardCharsets.ISO_8859_1).replace("'<f4'", "'<\n\n'");
        byte[] bad = ok.clone();
        System.arraycopy(header.getBytes(StandardCharsets.ISO_8859_1), 0, bad, 10, header.length());
        Path file = Files.write(dir.resolve("newline.npy"), bad);
        CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> Npy.read(file));
        oneLine(e, file);
        assertTrue(e.getMessage().contains("dtype '<\\x0a\\x0a'"), e.getMessage());
    }

    /** Regression: a version-2 header length of -1 was an IllegalArgumentException from ByteBuffer.allocate. */
    @Test
    void npyNegativeHeaderLength() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(-1).putInt(0);
        Path file = Files.write(dir.resolve("neg.npy"), b.array());
        oneLine(assertThrows(CorpusFormatException.class, () -> Npy.read(file)), file);
    }

    /** Regression: a version-2 header length of 2^31-1 allocated 2 GiB before reading. */
    @Test
    void npyHugeHeaderLength() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(Integer.MAX_VALUE).putInt(0);
        Path file = Files.write(dir.resolve("huge.npy"), b.array());
        oneLine(assertThrows(CorpusFormatException.class, () -> Npy.read(file)), file);
    }

    /** Regression: shape (-1, -1) has count 1 and passed the size check with 4 data bytes. */
    @Test
    void npyNegativeShape() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, -1), }";
        byte[] header = (dict + " ".repeat(64 - (10 + dict.length() + 1) % 64) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + header.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length).put(header).putFloat(1f);
        Path file = Files.write(dir.resolve("negshape.npy"), b.array());
        oneLine(assertThrows(CorpusFormatException.class, () -> Npy.read(file)), file);
    }
}
