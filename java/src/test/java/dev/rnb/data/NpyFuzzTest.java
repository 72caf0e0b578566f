package dev.rnb.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rnb.testing.InputErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jazzer target for the .npy reader: every input reads into a matrix whose
 * rows x cols is its number of floats, or is a one-line
 * {@link CorpusFormatException} naming the file. Anything else is a finding.
 * Seeds: {@code NpyFuzzTestInputs/npy/}. The plain tests below are the
 * crashes fuzzing found, kept as regressions.
 */
class NpyFuzzTest {
    @TempDir
    Path dir;

    @FuzzTest
    void npy(byte[] input) throws IOException {
        Path file = Files.write(dir.resolve("m.npy"), input);
        try {
            Npy.Matrix m = Npy.read(file);
            assertTrue(m.rows() >= 0 && m.cols() >= 0 && (long) m.rows() * m.cols() == m.data().length,
                    m.rows() + " x " + m.cols() + " with " + m.data().length + " floats");
        } catch (CorpusFormatException e) {
            InputErrors.assertOneLine(file.toString(), e);
        }
    }

    private void assertRejected(String name, byte[] content) throws IOException {
        Path file = Files.write(dir.resolve(name), content);
        InputErrors.assertOneLine(file.toString(), assertThrows(CorpusFormatException.class, () -> Npy.read(file)));
    }

    /** Regression: a dtype holding a newline made the error message two lines. */
    @Test
    void dtypeWithANewlineIsOneLine() throws IOException {
        byte[] ok = Npy.encode(1, 1, new float[] {9});
        String header = new String(ok, 10, ok.length - 14, StandardCharsets.ISO_8859_1).replace("'<f4'", "'<\n\n'");
        byte[] bad = ok.clone();
        System.arraycopy(header.getBytes(StandardCharsets.ISO_8859_1), 0, bad, 10, header.length());
        Path file = Files.write(dir.resolve("newline.npy"), bad);
        CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> Npy.read(file));
        InputErrors.assertOneLine(file.toString(), e);
        assertTrue(e.getMessage().contains("dtype '<\\x0a\\x0a'"), e.getMessage());
    }

    /** Regression: a version-2 header length of -1 was an IllegalArgumentException from ByteBuffer.allocate. */
    @Test
    void negativeHeaderLength() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(-1).putInt(0);
        assertRejected("neg.npy", b.array());
    }

    /** Regression: a version-2 header length of 2^31-1 allocated 2 GiB before reading. */
    @Test
    void hugeHeaderLength() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(Integer.MAX_VALUE).putInt(0);
        assertRejected("huge.npy", b.array());
    }

    /** Regression: shape (-1, -1) has count 1 and passed the size check with 4 data bytes. */
    @Test
    void negativeShape() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, -1), }";
        byte[] header = (dict + " ".repeat(64 - (10 + dict.length() + 1) % 64) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + header.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length).put(header).putFloat(1f);
        assertRejected("negshape.npy", b.array());
    }
}
