package dev.rnb.data;

import io.airlift.compress.zstd.ZstdInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The compression of a text input, told by its first bytes (not its name:
 * {@code corpus.jsonl} may be gzip, {@code corpus.gz} may be plain): gzip
 * (the JDK's decoder), zstd (aircompressor's pure-Java decoder, which checks a
 * frame's content checksum when it has one), or none. A decoder's complaint
 * about its stream (truncated, corrupt, bad checksum) reaches the reader as
 * an IOException whose message names the format, so the reader can say
 * which record it was reading; no partial stream ends quietly.
 */
enum Compression {
    NONE(""), GZIP("gzip"), ZSTD("zstd");

    private final String label;

    Compression(String label) { this.label = label; }

    /** The format of a stream that starts with {@code head} (fewer bytes where the file is shorter). */
    static Compression of(byte[] head, int length) {
        if (length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B) return GZIP;
        if (length >= 4 && (head[0] & 0xFF) == 0x28 && (head[1] & 0xFF) == 0xB5 && (head[2] & 0xFF) == 0x2F && (head[3] & 0xFF) == 0xFD) return ZSTD;
        return NONE;
    }

    /** The decompressed content of {@code file}, whatever its compression. */
    static InputStream open(Path file) throws IOException {
        return open(Files.newInputStream(file));
    }

    /** The decompressed content of a stream from any file system, whatever its compression; closes it on failure. */
    static InputStream open(InputStream stream) throws IOException {
        InputStream raw = new BufferedInputStream(stream, 1 << 16);
        try {
            raw.mark(4);
            byte[] head = raw.readNBytes(4);
            raw.reset();
            return of(head, head.length).decode(raw);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private InputStream decode(InputStream raw) throws IOException {
        try {
            switch (this) {
                case GZIP: return new Named(new GZIPInputStream(raw, 1 << 16), label); // reads the gzip header
                case ZSTD: return new Named(new ZstdInputStream(raw), label);
                default: return raw;
            }
        } catch (IOException | RuntimeException e) {
            throw failure(label, e);
        }
    }

    private static IOException failure(String label, Exception e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new IOException(label + " data is truncated or corrupt (" + why.replaceAll("\\s+", " ") + ")", e);
    }

    /**
     * A decoder's stream whose failures say what was being decoded: aircompressor
     * reports corrupt input as unchecked exceptions, the JDK as IOExceptions
     * ("Unexpected end of ZLIB input stream"); both become one IOException.
     */
    private static final class Named extends FilterInputStream {
        private final String label;

        Named(InputStream in, String label) {
            super(in);
            this.label = label;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException | RuntimeException e) {
                throw failure(label, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw failure(label, e);
            }
        }
    }
}
