package dev.rnb.testing;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BackendUnavailableException;
import dev.rnb.backend.Backends;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Backends shared by a test class. The real "cuda" backend is tested wherever
 * a device answers and skipped (a JUnit assumption, not a failure) elsewhere;
 * every other backend must open.
 */
public final class TestBackends implements AutoCloseable {
    /** The backends every conformance test runs, compared with reference. */
    public static final String[] UNDER_TEST = {"cpu", "cuda-emulated", "cuda"};

    private final Map<String, Backend> open = new HashMap<>();

    public synchronized Backend get(String name) {
        Backend b = open.get(name);
        if (b == null) {
            b = openOrSkip(name);
            open.put(name, b);
        }
        return b;
    }

    /** Opens a backend; for "cuda" without a device, skips the calling test. */
    public static Backend openOrSkip(String name) {
        try {
            return Backends.open(name);
        } catch (BackendUnavailableException e) {
            assumeTrue(!name.equals("cuda"), "no CUDA device: " + e.reason());
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        open.values().forEach(Backend::close);
        open.clear();
    }
}
