package dev.rnb.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** .npy files as NumPy writes them, in the layouts rnb converts on reading (for tests and fuzzing). */
public final class NpyFiles {
    private NpyFiles() {}

    /**
     * A rows x cols matrix (values row-major) as a version 1.0 .npy file with dtype
     * {@code descr} ('&lt;f8', '&gt;f4', '&lt;f2', ...), in Fortran order when asked.
     */
    public static byte[] encode(int rows, int cols, double[] values, String descr, boolean fortran) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" + rows + ", " + cols + "), }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        byte[] header = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        int item = descr.charAt(descr.length() - 1) - '0';
        ByteBuffer b = ByteBuffer.allocate(10 + header.length + rows * cols * item)
                .order(descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        b.order(ByteOrder.LITTLE_ENDIAN).putShort((short) header.length).put(header);
        b.order(descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < rows * cols; k++) {
            double v = fortran ? values[(k % rows) * cols + k / rows] : values[k];
            switch (item) {
                case 8 -> b.putDouble(v);
                case 4 -> b.putFloat((float) v);
                default -> b.putShort(floatToHalf((float) v));
            }
        }
        return b.array();
    }

    /** float32 to IEEE binary16 for values that binary16 holds exactly (tests use such values), infinities and NaN. */
    public static short floatToHalf(float f) {
        int bits = Float.floatToIntBits(f), sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(f)) return (short) 0x7E00;
        if (Float.isInfinite(f)) return (short) (sign | 0x7C00);
        float a = Math.abs(f);
        if (a == 0) return (short) sign;
        if (a < 0x1p-14f) return (short) (sign | Math.round(a / 0x1p-24f)); // subnormal
        int exp = Math.getExponent(a);
        int mantissa = Math.round((a / (float) Math.pow(2, exp) - 1) * 1024);
        return (short) (sign | (exp + 15) << 10 | mantissa);
    }
}
