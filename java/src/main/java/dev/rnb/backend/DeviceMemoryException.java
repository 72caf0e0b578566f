package dev.rnb.backend;

import java.util.Locale;

/**
 * A backend could not allocate memory for a tensor (device memory on cuda,
 * native memory on cpu and cuda-emulated).
 * The message says how much was asked for and what to do about it.
 * {@code rnb} exits with {@code ExitCodes.OUT_OF_MEMORY} on it.
 */
public final class DeviceMemoryException extends RuntimeException {
    public DeviceMemoryException(String backend, long bytes, String detail) {
        super(String.format(Locale.ROOT,
                "%s: out of memory allocating %,d bytes (%s); use a smaller --batch (or context/width), "
                        + "or the sketched mode (RnbBalancer sketch r > 0) for many domains", backend, bytes, detail));
    }
}
