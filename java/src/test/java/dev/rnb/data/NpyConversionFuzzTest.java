package dev.rnb.data;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rnb.testing.InputErrors;
import dev.rnb.testing.NpyFiles;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Jazzer target for the .npy conversions: the fuzzer picks a dtype (float16,
 * 32 or 64, either byte order), C or Fortran order, a shape and the values
 * (any bits: NaN, infinities, subnormals, float64 beyond float32's range).
 * Reading must give the row-major float32 matrix of those values, converted
 * as NumPy's astype(float32) would (float16 decoded by a formula independent
 * of the reader's), or, where a value is not finite in float32, a one-line
 * error naming its row and column. Seeds: {@code NpyConversionFuzzTestInputs/npyConversions/}.
 */
class NpyConversionFuzzTest {
    private static final String[] DTYPES = {"<f4", ">f4", "<f8", ">f8", "<f2", ">f2"};

    @TempDir
    Path dir;

    @FuzzTest
    void npyConversions(FuzzedDataProvider data) throws IOException {
        String descr = DTYPES[data.consumeInt(0, DTYPES.length - 1)];
        boolean fortran = data.consumeBoolean();
        int rows = data.consumeInt(0, 6), cols = data.consumeInt(1, 6);
        double[] values = new double[rows * cols];
        float[] expected = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (descr.charAt(2)) {
                case '2' -> half(data.consumeShort());
                case '4' -> data.consumeFloat();
                default -> data.consumeDouble();
            };
            expected[i] = (float) values[i];
        }
        Path file = Files.write(dir.resolve("m.npy"), NpyFiles.encode(rows, cols, values, descr, fortran));
        int bad = 0;
        while (bad < expected.length && Float.isFinite(expected[bad])) bad++;
        if (bad < expected.length) {
            CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> Npy.read(file));
            InputErrors.assertOneLine(file + ": row " + bad / cols + ", column " + bad % cols + " is " + expected[bad], e);
            return;
        }
        Npy.Matrix m = Npy.read(file);
        assertEquals(rows, m.rows());
        assertEquals(cols, m.cols());
        assertArrayEquals(expected, m.data());
        assertEquals(descr.equals("<f4") && !fortran, m.note() == null, m.note());
    }

    /** IEEE 754 binary16 bits as a double: sign, 5-bit exponent (bias 15), 10-bit fraction. */
    private static double half(short h) {
        int bits = h & 0xFFFF, e = bits >> 10 & 0x1F, f = bits & 0x3FF;
        double v = e == 0 ? f * Math.pow(2, -24) : e == 0x1F ? (f == 0 ? Double.POSITIVE_INFINITY : Double.NaN) : (1 + f / 1024.0) * Math.pow(2, e - 15);
        return (bits & 0x8000) != 0 ? -v : v;
    }
}
