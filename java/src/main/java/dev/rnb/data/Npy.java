package dev.rnb.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader and a writer for NumPy .npy files holding one 2-D float32
 * matrix ('&lt;f4', C order): the only layout rnb exchanges. Anything else
 * (another dtype, Fortran order, not 2-D, a truncated file) is a clear error
 * rather than a silent conversion.
 */
public final class Npy {
    /** A row-major rows x cols matrix. */
    public record Matrix(int rows, int cols, float[] data) {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** The validated header of a .npy file: its shape, and where the data starts. */
    public record Header(long rows, long cols, long dataStart) {}

    public static Matrix read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(file, ch);
            if (h.rows() > Integer.MAX_VALUE || h.cols() > Integer.MAX_VALUE || h.rows() * h.cols() > Integer.MAX_VALUE - 8) {
                throw new CorpusFormatException(file, 0, "matrix " + h.rows() + " x " + h.cols()
                        + " is too large to hold in memory (ChunkedKMeans reads such files in chunks)");
            }
            float[] values = new float[(int) (h.rows() * h.cols())];
            readRows(file, ch, h, 0, (int) h.rows(), values);
            return new Matrix((int) h.rows(), (int) h.cols(), values);
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
            if (!descr.equals("<f4")) {
                throw new CorpusFormatException(file, 0, "dtype '" + printable(descr) + "' is not supported: need little-endian float32 '<f4'");
            }
            if (group(file, FORTRAN, header, "fortran_order").equals("True")) {
                throw new CorpusFormatException(file, 0, "Fortran-order arrays are not supported: need C order");
            }
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
            if (ch.size() - dataStart != count * 4) {
                throw new CorpusFormatException(file, 0, "holds " + (ch.size() - dataStart) + " data bytes, shape "
                        + shape[0] + " x " + shape[1] + " needs " + count * 4);
            }
            return new Header(shape[0], shape[1], dataStart);
        } catch (NumberFormatException e) {
            throw new CorpusFormatException(file, 0, "bad shape in .npy header");
        }
    }

    /** Reads rows [firstRow, firstRow + rows) into {@code into} (row-major, from index 0). */
    public static void readRows(Path file, FileChannel ch, Header h, long firstRow, int rows, float[] into) throws IOException {
        long floats = (long) rows * h.cols();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(floats * 4, 1 << 24)).order(ByteOrder.LITTLE_ENDIAN);
        long pos = h.dataStart() + firstRow * h.cols() * 4;
        int done = 0;
        while (done < floats) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), (floats - done) * 4));
            while (buf.hasRemaining()) {
                if (ch.read(buf, pos + buf.position()) < 0) {
                    throw new CorpusFormatException(file, 0, "ends early: changed while being read");
                }
            }
            buf.flip();
            int n = buf.remaining() / 4;
            buf.asFloatBuffer().get(into, done, n);
            done += n;
            pos += (long) n * 4;
        }
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
