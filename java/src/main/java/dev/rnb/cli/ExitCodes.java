package dev.rnb.cli;

import dev.rnb.backend.BackendUnavailableException;
import dev.rnb.backend.DeviceMemoryException;
import dev.rnb.data.BadInputException;
import dev.rnb.data.CorpusFormatException;
import dev.rnb.train.CheckpointException;

/**
 * The exit codes of {@code rnb}, one per class of failure (the table is in
 * docs/RELIABILITY.md). {@link Main} maps every exception a command throws
 * to one of these with {@link #of(Throwable)}.
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** A bug or an unexpected failure (the message says what; RNB_DEBUG=1 prints the trace). */
    public static final int INTERNAL_ERROR = 1;
    /** Unknown, malformed, out-of-range or conflicting options (picocli's usage errors too). */
    public static final int BAD_OPTIONS = 2;
    /** An input file is missing, unreadable or does not hold what it should. */
    public static final int BAD_INPUT = 3;
    /** The output folder or a file in it cannot be created or written. */
    public static final int OUTPUT_NOT_WRITABLE = 4;
    /** A checkpoint is missing, truncated, corrupt, or for another model shape or batch. */
    public static final int BAD_CHECKPOINT = 5;
    /** The requested backend cannot be opened (no device, driver or native library). */
    public static final int BACKEND_UNAVAILABLE = 6;
    /** Device, native or heap memory ran out. */
    public static final int OUT_OF_MEMORY = 7;

    private ExitCodes() {}

    /** The exit code for a failure. */
    public static int of(Throwable e) {
        if (e instanceof BadInputException || e instanceof CorpusFormatException) return BAD_INPUT;
        if (e instanceof CheckpointException) return BAD_CHECKPOINT;
        if (e instanceof OutputNotWritableException) return OUTPUT_NOT_WRITABLE;
        if (e instanceof BackendUnavailableException) return BACKEND_UNAVAILABLE;
        if (e instanceof DeviceMemoryException || e instanceof OutOfMemoryError) return OUT_OF_MEMORY;
        if (e instanceof IllegalArgumentException || e instanceof picocli.CommandLine.ParameterException) return BAD_OPTIONS;
        return INTERNAL_ERROR;
    }
}
