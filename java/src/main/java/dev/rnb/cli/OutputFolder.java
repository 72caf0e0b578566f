package dev.rnb.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The output folder of a command. Commands call {@link #prepare} before any
 * long work, so an unwritable folder fails in a second rather than after the
 * run, and route every write through {@link #write} so a failure is one line
 * and exit {@link ExitCodes#OUTPUT_NOT_WRITABLE}, not an internal error.
 */
final class OutputFolder {
    private OutputFolder() {}

    @FunctionalInterface
    interface Write {
        void run() throws IOException;
    }

    /** Creates the folder and proves it takes a file. */
    static void prepare(Path out) throws OutputNotWritableException {
        write(out, () -> {
            Files.createDirectories(out);
            Files.delete(Files.createTempFile(out, ".rnb-write-check", ".tmp"));
        });
    }

    /** Runs a write of {@code target}; an I/O failure becomes an {@link OutputNotWritableException} naming it. */
    static void write(Path target, Write action) throws OutputNotWritableException {
        try {
            action.run();
        } catch (OutputNotWritableException e) {
            throw e;
        } catch (IOException e) {
            String why = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof FileAlreadyExistsException ? "a file is in the way of a folder"
                    : e instanceof FileSystemException fs && "Not a directory".equals(fs.getReason()) ? "a file is in the way of a folder"
                    : e instanceof NoSuchFileException ? "a parent folder is missing"
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            throw new OutputNotWritableException("cannot write " + target + " (" + why + ")", e);
        }
    }
}
