package dev.rnb.data;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Bad corpus input. The message always names the file, and the line where
 * there is one, so a user can go straight to the problem:
 * {@code data/train.jsonl:17: missing field "text"}.
 */
public final class CorpusFormatException extends IllegalArgumentException {
    private final long line;

    public CorpusFormatException(Path file, long line, String problem) {
        this(file.toString(), line, problem);
    }

    /** A file named by a string: one that is not on the local file system (a Spark task's Hadoop path). */
    public CorpusFormatException(String file, long line, String problem) {
        super(oneLine(file) + (line > 0 ? ":" + line : "") + ": " + problem);
        this.line = line;
    }

    /**
     * A file that cannot be opened or read at all: still bad input (exit 3),
     * not an internal error, with the operating system's reason in words.
     */
    public static CorpusFormatException unreadable(Path file, IOException e) {
        String reason;
        if (e instanceof NoSuchFileException) reason = "no such file";
        else if (e instanceof AccessDeniedException) reason = "permission denied";
        else if (e instanceof FileSystemException fs && fs.getReason() != null) reason = fs.getReason();
        else reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new CorpusFormatException(file, 0, "cannot read (" + reason.replaceAll("\\s+", " ") + ")");
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

    /** 1-based line number, or 0 when the problem concerns the whole file. */
    public long line() { return line; }
}
