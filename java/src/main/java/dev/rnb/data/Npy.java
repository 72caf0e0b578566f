package dev.rnb.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reader and a writer for NumPy .npy files holding one 2-D matrix. The
 * reader takes float32, float64 and float16, little- or big-endian, in C or
 * Fortran order, and always yields row-major little-endian float32 (what rnb
 * computes with); a conversion is named in {@link Header#note()} so a caller
 * can say so. Every value read passes {@link Embeddings#requireFinite}: this
 * is the only way rnb reads .npy values, in memory or in chunks. Anything
 * else (another dtype, not 2-D, a truncated file) is a clear error. The
 * writer writes '&lt;f4' in C order.
 */
public final class Npy {
    /** A row-major rows x cols matrix; {@code note} names a conversion made on reading (null when none). */
    public record Matrix(int rows, int cols, float[] data, String note) {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern FLOAT = Pattern.compile("([<>])f([248])");

    private Npy() {}

    /**
     * The validated header of a .npy file: its shape, where the data starts,
     * and how the values are stored (bytes per value, byte order, Fortran order).
     */
    public record Header(long rows, long cols, long dataStart, int itemSize, ByteOrder order, boolean fortran) {
        /** The conversions reading makes, in words; null for little-endian float32 in C order. */
        public String note() {
            List<String> done = new ArrayList<>();
            if (itemSize != 4) done.add((itemSize == 8 ? "float64" : "float16") + " converted to float32");
            if (order == ByteOrder.BIG_ENDIAN) done.add("big-endian values converted to little-endian");
            if (fortran) done.add("Fortran-order array transposed to row-major");
            return done.isEmpty() ? null : String.join(", ", done);
        }
    }

    public static Matrix read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(file, ch);
            if (h.rows() > Integer.MAX_VALUE || h.cols() > Integer.MAX_VALUE || h.rows() * h.cols() > Integer.MAX_VALUE - 8) {
                throw new CorpusFormatException(file, 0, "matrix " + h.rows() + " x " + h.cols()
                        + " is too large to hold in memory (ChunkedKMeans reads such files in chunks)");
            }
            float[] values = new float[(int) (h.rows() * h.cols())];
            readRows(file, ch, h, 0, (int) h.rows(), values);
            return new Matrix((int) h.rows(), (int) h.cols(), values, h.note());
        } catch (IOException e) {
            throw CorpusFormatException.unreadable(file, e);
        }
    }

    /** The validated header of {@code file}. */
    public static Header header(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return header(file, ch);
        } catch (IOException e) {
            throw CorpusFormatException.unreadable(file, e);
        }
    }

    /** Reads and validates the header of {@code file} (open as {@code ch}); the data size must match the shape. */
    public static Header header(Path file, FileChannel ch) throws IOException {
        try {
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(pre, 0);
            pre.flip();
            if (pre.remaining() < 10 || !startsWithMagic(pre)) {
                throw new CorpusFormatException(file, 0, "not a .npy file (bad magic)");
            }
            int major = pre.get(6) & 0xFF;
            int headerLen, headerStart;
            if (major == 1) {
                headerLen = pre.getShort(8) & 0xFFFF;
                headerStart = 10;
            } else if (major == 2 || major == 3) {
                if (pre.remaining() < 12) throw new CorpusFormatException(file, 0, "truncated .npy header");
                headerLen = pre.getInt(8);
                headerStart = 12;
            } else {
                throw new CorpusFormatException(file, 0, "unsupported .npy version " + major);
            }
            if (headerLen < 0 || headerLen > ch.size() - headerStart) {
                throw new CorpusFormatException(file, 0, "truncated .npy header (header length " + headerLen + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate(headerLen);
            if (ch.read(hb, headerStart) != headerLen) {
                throw new CorpusFormatException(file, 0, "truncated .npy header");
            }
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            String descr = group(file, DESCR, header, "descr");
            Matcher dtype = FLOAT.matcher(descr);
            if (!dtype.matches()) {
                throw new CorpusFormatException(file, 0, "dtype '" + printable(descr)
                        + "' is not supported: need floats ('<f4', '<f8' or '<f2', either byte order)");
            }
            int itemSize = dtype.group(2).charAt(0) - '0';
            ByteOrder order = dtype.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            boolean fortran = group(file, FORTRAN, header, "fortran_order").equals("True");
            String[] dims = group(file, SHAPE, header, "shape").split(",");
            long[] shape = java.util.Arrays.stream(dims).map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
            if (shape.length != 2) {
                throw new CorpusFormatException(file, 0, "array is " + shape.length + "-D: need a 2-D matrix (examples x dims)");
            }
            if (shape[0] < 0 || shape[1] < 0) {
                throw new CorpusFormatException(file, 0, "negative shape " + shape[0] + " x " + shape[1]);
            }
            if (shape[1] > Integer.MAX_VALUE || Math.multiplyHigh(shape[0], shape[1]) != 0 || shape[0] * shape[1] > Long.MAX_VALUE / 8) {
                throw new CorpusFormatException(file, 0, "matrix " + shape[0] + " x " + shape[1] + " is too large");
            }
            long count = shape[0] * shape[1];
            long dataStart = headerStart + headerLen;
            if (ch.size() - dataStart != count * itemSize) {
                throw new CorpusFormatException(file, 0, "holds " + (ch.size() - dataStart) + " data bytes, shape "
                        + shape[0] + " x " + shape[1] + " needs " + count * itemSize);
            }
            return new Header(shape[0], shape[1], dataStart, itemSize, order, fortran);
        } catch (NumberFormatException e) {
            throw new CorpusFormatException(file, 0, "bad shape in .npy header");
        }
    }

    /**
     * Reads rows [firstRow, firstRow + rows) into {@code into} (row-major
     * float32, from index 0), converting as {@link Header#note()} says, and
     * checks that every value is finite.
     */
    public static void readRows(Path file, FileChannel ch, Header h, long firstRow, int rows, float[] into) throws IOException {
        int cols = Math.toIntExact(h.cols());
        if (h.fortran()) {
            // Column-major: each column's run of these rows is contiguous.
            float[] column = new float[rows];
            for (int j = 0; j < cols; j++) {
                readValues(file, ch, h, h.dataStart() + ((long) j * h.rows() + firstRow) * h.itemSize(), rows, column, 0);
                for (int i = 0; i < rows; i++) into[i * cols + j] = column[i];
            }
        } else {
            readValues(file, ch, h, h.dataStart() + firstRow * cols * h.itemSize(), (long) rows * cols, into, 0);
        }
        Embeddings.requireFinite(file.toString(), 0, into, firstRow, rows, cols);
    }

    /** Reads {@code count} consecutive values at byte {@code pos} into {@code into[at...]} as float32. */
    private static void readValues(Path file, FileChannel ch, Header h, long pos, long count, float[] into, int at) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count * h.itemSize(), 1 << 24)).order(h.order());
        long done = 0;
        while (done < count) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), (count - done) * h.itemSize()));
            while (buf.hasRemaining()) {
                if (ch.read(buf, pos + buf.position()) < 0) {
                    throw new CorpusFormatException(file, 0, "ends early: changed while being read");
                }
            }
            buf.flip();
            int n = buf.remaining() / h.itemSize();
            int to = (int) (at + done);
            switch (h.itemSize()) {
                case 4 -> buf.asFloatBuffer().get(into, to, n);
                case 8 -> {
                    for (int i = 0; i < n; i++) into[to + i] = (float) buf.getDouble();
                }
                default -> {
                    for (int i = 0; i < n; i++) into[to + i] = halfToFloat(buf.getShort());
                }
            }
            done += n;
            pos += (long) n * h.itemSize();
        }
    }

    /** IEEE 754 binary16 to float32 (Float.float16ToFloat is Java 20). */
    static float halfToFloat(short half) {
        int bits = half & 0xFFFF, sign = (bits & 0x8000) << 16, exp = (bits >>> 10) & 0x1F, mantissa = bits & 0x3FF;
        if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | mantissa << 13); // infinity, NaN
        if (exp == 0) {
            float sub = mantissa * 0x1p-24f; // subnormal (or zero)
            return sign == 0 ? sub : -sub;
        }
        return Float.intBitsToFloat(sign | (exp + 112) << 23 | mantissa << 13);
    }

    /** Header text for a one-line message: cut at 40 characters, control characters escaped. */
    private static String printable(String s) {
        return CorpusFormatException.oneLine(s.length() > 40 ? s.substring(0, 40) + "..." : s);
    }

    private static boolean startsWithMagic(ByteBuffer b) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(i) != MAGIC[i]) return false;
        }
        return true;
    }

    private static String group(Path file, Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new CorpusFormatException(file, 0, ".npy header lacks '" + key + "'");
        }
        return m.group(1);
    }

    /** The bytes of a version 1.0 .npy file holding a rows x cols float32 matrix. */
    public static byte[] encode(int rows, int cols, float[] data) {
        if ((long) rows * cols != data.length) {
            throw new IllegalArgumentException(data.length + " floats are not " + rows + " x " + cols);
        }
        byte[] header = headerBytes(rows, cols);
        ByteBuffer b = ByteBuffer.allocate(header.length + data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header);
        b.asFloatBuffer().put(data);
        return b.array();
    }

    /** The header of a version 1.0 .npy file for a rows x cols float32 matrix; the data (row-major, little-endian) follows it. */
    public static byte[] headerBytes(long rows, int cols) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        // Pad so that the data starts on a 64-byte boundary, header ending in '\n'.
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }
}
