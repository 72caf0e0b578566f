package dev.rnb.cli;

import java.io.IOException;

/** An output folder or file cannot be created or written; {@code rnb} exits with {@link ExitCodes#OUTPUT_NOT_WRITABLE}. */
final class OutputNotWritableException extends IOException {
    OutputNotWritableException(String message, Throwable cause) {
        super(message, cause);
    }
}
