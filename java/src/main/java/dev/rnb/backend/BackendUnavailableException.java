package dev.rnb.backend;

/** A backend could not be opened (no device, no driver, no native library). */
public final class BackendUnavailableException extends RuntimeException {
    private final String reason;

    public BackendUnavailableException(String backend, String reason) {
        this(backend, reason, null);
    }

    /** {@code cause}: what failed, kept for {@link Backends#fullReason}. */
    public BackendUnavailableException(String backend, String reason, Throwable cause) {
        super(backend + " backend unavailable (" + reason + ")", cause);
        this.reason = reason;
    }

    public String reason() { return reason; }
}
