package dev.rnb.data;

import java.nio.file.Path;

/**
 * Bad corpus input. The message always names the file, and the line where
 * there is one, so a user can go straight to the problem:
 * {@code data/train.jsonl:17: missing field "text"}.
 */
public final class CorpusFormatException extends IllegalArgumentException {
    private final transient Path file;
    private final long line;

    public CorpusFormatException(Path file, long line, String problem) {
        super(oneLine(file.toString()) + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
    }

    /**
     * {@code s} with control characters written as {@code \xNN}: a file name
     * (or header text) may hold a newline, and the message must stay one line.
     */
    static String oneLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c == 0x7F ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    /** The file at fault. */
    public Path file() { return file; }

    /** 1-based line number, or 0 when the problem concerns the whole file. */
    public long line() { return line; }
}
