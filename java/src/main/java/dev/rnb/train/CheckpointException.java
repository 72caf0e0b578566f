package dev.rnb.train;

import java.io.IOException;

/**
 * A checkpoint cannot be used: missing, truncated, corrupt (bad magic or
 * checksum, malformed fields) or written for another model shape or batch
 * size. {@code rnb} exits with {@code ExitCodes.BAD_CHECKPOINT} on it.
 */
public final class CheckpointException extends IOException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
