package dev.rnb.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a text file (plain, gzip or zstd: {@link Compression}) line by line
 * and decodes each line with a strict UTF-8 decoder. Lines are split on the
 * byte '\n' (never part of a multi-byte UTF-8 sequence) before decoding, so
 * invalid bytes are reported on the line that holds them, and a bad line can
 * be skipped without losing the next one; a Reader would decode ahead across
 * line ends. A trailing '\r' is dropped, and so is a UTF-8 byte order mark
 * at the start of the file. A line longer than {@link #MAX_LINE_BYTES}, and a
 * compressed stream that is truncated or corrupt, fail the read (a {@link
 * CorpusFormatException} naming the line): neither can be skipped.
 */
public final class Utf8Lines implements AutoCloseable {
    /** The longest line (one example) read: 64 MiB, so that memory stays bounded. */
    static final int MAX_LINE_BYTES = 64 << 20;

    /** One line: its 1-based number and its text, or the decoding problem. */
    public record Line(long number, String text, String problem) {}

    private final Path file;
    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] chunk = new byte[1 << 16];
    private int chunkPos, chunkEnd;
    private byte[] buffer = new byte[1 << 16];
    private long number;

    Utf8Lines(Path file) throws IOException {
        this.file = file;
        this.in = Compression.open(file);
    }

    /**
     * Lines of a stream from any file system (the Spark job reads through
     * Hadoop's), plain, gzip or zstd; {@code name} names it in errors.
     */
    public Utf8Lines(InputStream stream, String name) throws IOException {
        this.file = Path.of(name);
        this.in = Compression.open(stream);
    }

    /** The next line, or null at end of file. */
    public Line next() {
        int length = 0;
        boolean any = false;
        while (true) {
            if (chunkPos == chunkEnd) {
                chunkEnd = fill();
                chunkPos = 0;
                if (chunkEnd <= 0) {
                    chunkEnd = 0;
                    if (!any) {
                        return null;
                    }
                    break;
                }
            }
            any = true;
            int end = chunkPos;
            while (end < chunkEnd && chunk[end] != '\n') {
                end++;
            }
            int take = end - chunkPos;
            if (length + take > MAX_LINE_BYTES) {
                throw new CorpusFormatException(file, number + 1, "line longer than " + (MAX_LINE_BYTES >> 20)
                        + " MiB (one example per line; split the text)");
            }
            if (length + take > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(MAX_LINE_BYTES, Math.max(length + take, 2 * buffer.length)));
            }
            System.arraycopy(chunk, chunkPos, buffer, length, take);
            length += take;
            chunkPos = end;
            if (end < chunkEnd) {
                chunkPos++; // consume the '\n'
                break;
            }
        }
        if (length > 0 && buffer[length - 1] == '\r') {
            length--;
        }
        number++;
        int from = number == 1 && startsWithByteOrderMark(length) ? 3 : 0;
        ByteBuffer bytes = ByteBuffer.wrap(buffer, from, length - from);
        CharBuffer chars = CharBuffer.allocate(length - from);
        decoder.reset();
        CoderResult r = decoder.decode(bytes, chars, true);
        if (!r.isError()) r = decoder.flush(chars);
        if (r.isError()) {
            return new Line(number, null, "invalid UTF-8 at byte " + (bytes.position() + 1) + " of the line");
        }
        return new Line(number, chars.flip().toString(), null);
    }

    private boolean startsWithByteOrderMark(int length) {
        return length >= 3 && (buffer[0] & 0xFF) == 0xEF && (buffer[1] & 0xFF) == 0xBB && (buffer[2] & 0xFF) == 0xBF;
    }

    /** Reads the next chunk; a read failure (a corrupt compressed stream, a disk error) names the line it hit. */
    private int fill() {
        try {
            return in.read(chunk, 0, chunk.length);
        } catch (IOException e) {
            throw new CorpusFormatException(file, number + 1, CorpusFormatException.oneLine(String.valueOf(e.getMessage())));
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
