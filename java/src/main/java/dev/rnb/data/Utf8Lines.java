package dev.rnb.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a file line by line and decodes each line with a strict UTF-8 decoder.
 * Lines are split on the byte '\n' (never part of a multi-byte UTF-8
 * sequence) before decoding, so invalid bytes are reported on the line that
 * holds them, and a bad line can be skipped without losing the next one; a
 * Reader would decode ahead across line ends. Lines may be arbitrarily long
 * (the buffer grows); a trailing '\r' is dropped.
 */
public final class Utf8Lines implements AutoCloseable {
    /** One line: its 1-based number and its text, or the decoding problem. */
    public record Line(long number, String text, String problem) {}

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] chunk = new byte[1 << 16];
    private int chunkPos, chunkEnd;
    private byte[] buffer = new byte[1 << 16];
    private long number;

    Utf8Lines(Path file) throws IOException {
        this(Files.newInputStream(file));
    }

    /** Lines of a stream from any file system (the Spark job reads through Hadoop's); closed with this. */
    public Utf8Lines(InputStream in) {
        this.in = in;
    }

    /** The next line, or null at end of file. */
    public Line next() throws IOException {
        int length = 0;
        boolean any = false;
        while (true) {
            if (chunkPos == chunkEnd) {
                chunkEnd = in.read(chunk, 0, chunk.length);
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
            if (length + take > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(length + take, Math.multiplyExact(buffer.length, 2)));
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
        try {
            return new Line(number, decoder.decode(ByteBuffer.wrap(buffer, 0, length)).toString(), null);
        } catch (CharacterCodingException e) {
            return new Line(number, null, "invalid UTF-8");
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
