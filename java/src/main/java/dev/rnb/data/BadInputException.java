package dev.rnb.data;

/**
 * An input file does not hold what it should. The message is one line that
 * names the file, the line (where there is one), the field and what was
 * expected. {@code rnb} exits with {@code ExitCodes.BAD_INPUT} on it.
 */
public final class BadInputException extends IllegalArgumentException {
    public BadInputException(String message) {
        super(message);
    }
}
