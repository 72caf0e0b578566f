package dev.rnb.backend;

/** A backend could not be opened (no device, no driver, no native library). */
public final class BackendUnavailableException extends RuntimeException {
    private final String reason;

    public BackendUnavailableException(String backend, String reason) {
        super(backend + " backend unavailable (" + reason + ")");
        this.reason = reason;
    }

    public String reason() { return reason; }
}
