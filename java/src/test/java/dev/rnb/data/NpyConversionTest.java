package dev.rnb.data;

import dev.rnb.testing.InputErrors;
import dev.rnb.testing.NpyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** .npy float64, float16, big-endian and Fortran-order files read as the float32 matrix they hold, whole or in chunks. */
class NpyConversionTest {
    @TempDir
    Path dir;

    /** Random values that float16 holds exactly (multiples of 1/64 below 32), so every dtype must give them back as they are. */
    private static double[] values(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (r.nextInt(4096) - 2048) / 64.0;
        return v;
    }

    @Test
    void everyLayoutReadsAsTheSameFloat32Matrix() throws IOException {
        SplittableRandom r = new SplittableRandom(11);
        for (int[] shape : new int[][] {{1, 1}, {7, 3}, {13, 5}, {0, 4}, {33, 17}}) {
            int rows = shape[0], cols = shape[1];
            double[] v = values(r, rows * cols);
            float[] expected = new float[v.length];
            for (int i = 0; i < v.length; i++) expected[i] = (float) v[i];
            for (String descr : new String[] {"<f4", ">f4", "<f8", ">f8", "<f2", ">f2"}) {
                for (boolean fortran : new boolean[] {false, true}) {
                    String name = descr.replace('<', 'l').replace('>', 'b') + (fortran ? "F" : "C") + ".npy";
                    Path p = Files.write(dir.resolve(name), NpyFiles.encode(rows, cols, v, descr, fortran));
                    Npy.Matrix m = Npy.read(p);
                    assertEquals(rows, m.rows(), name);
                    assertEquals(cols, m.cols(), name);
                    assertArrayEquals(expected, m.data(), name);
                    if (descr.equals("<f4") && !fortran) assertNull(m.note());
                    else assertTrue(m.note() != null && m.note().contains(descr.endsWith("8") ? "float64 converted" : descr.endsWith("2") ? "float16 converted"
                            : descr.startsWith(">") ? "big-endian" : "Fortran"), name + ": " + m.note());
                    assertChunksMatch(p, expected, cols);
                }
            }
        }
    }

    /** Reading in chunks of every size (what ChunkedKMeans does) gives the rows the whole read gives. */
    private static void assertChunksMatch(Path p, float[] expected, int cols) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            Npy.Header h = Npy.header(p, ch);
            for (int chunk : new int[] {1, 2, 5}) {
                float[] into = new float[chunk * cols];
                for (long first = 0; first < h.rows(); first += chunk) {
                    int rows = (int) Math.min(chunk, h.rows() - first);
                    Npy.readRows(p, ch, h, first, rows, into);
                    for (int i = 0; i < rows * cols; i++) {
                        assertEquals(expected[(int) first * cols + i], into[i], p + " chunk " + chunk + " row " + first);
                    }
                }
            }
        }
    }

    @Test
    void halfPrecisionSpecialValues() {
        assertEquals(65504f, Npy.halfToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, Npy.halfToFloat((short) 0x0001));
        assertEquals(-2f, Npy.halfToFloat((short) 0xC000));
        assertEquals(Float.POSITIVE_INFINITY, Npy.halfToFloat((short) 0x7C00));
        assertTrue(Float.isNaN(Npy.halfToFloat((short) 0x7E00)));
        for (int bits = 0; bits < 0x7C00; bits++) {
            float f = Npy.halfToFloat((short) bits);
            assertEquals((short) bits, NpyFiles.floatToHalf(f), "half bits " + bits);
        }
    }

    @Test
    void nonFiniteValuesAreRejectedWhateverTheDtype() throws IOException {
        double[] v = new double[12];
        v[7] = 1e300; // beyond float32: infinity after conversion
        Path big = Files.write(dir.resolve("big.npy"), NpyFiles.encode(4, 3, v, "<f8", false));
        CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> Npy.read(big));
        InputErrors.assertOneLine(big + ": row 2, column 1 is Infinity", e);
        v[7] = Double.NaN;
        Path nan = Files.write(dir.resolve("nan.npy"), NpyFiles.encode(4, 3, v, ">f2", true));
        InputErrors.assertOneLine(nan + ": row 2, column 1 is NaN", assertThrows(CorpusFormatException.class, () -> Npy.read(nan)));
    }

    @Test
    void otherDtypesAreStillAClearError() throws IOException {
        for (String descr : new String[] {"<i4", "|u1", "<c8", "<f16", "|b1", "<U8"}) {
            byte[] ok = NpyFiles.encode(2, 2, new double[4], "<f4", false);
            String header = new String(ok, java.nio.charset.StandardCharsets.ISO_8859_1).replace("'<f4'", "'" + descr + "'" + " ".repeat(Math.max(0, 3 - descr.length())));
            Path p = Files.write(dir.resolve("x.npy"), header.substring(0, Math.min(header.length(), ok.length)).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> Npy.read(p));
            InputErrors.assertOneLine(p + ":", e);
            assertTrue(e.getMessage().contains("dtype '" + descr + "' is not supported"), e.getMessage());
        }
    }
}
