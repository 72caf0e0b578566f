package dev.rnb.backend;

import dev.rnb.backend.cpu.CpuBackend;
import dev.rnb.backend.cuda.CudaBackend;
import dev.rnb.backend.reference.ReferenceBackend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Opens backends by name and picks one: cuda when a device answers, else cpu,
 * else reference. The system property {@code rnb.backend} (or the environment
 * variable RNB_BACKEND, or --backend in the CLI) overrides. A missing driver or
 * native library costs one log line and a fallback, never a stack trace.
 * The static methods may be called from several threads at once; each call
 * returns its own backend, which is then single-caller ({@link Backend}).
 */
public final class Backends {
    public static final List<String> NAMES = List.of("cuda", "cpu", "cuda-emulated", "reference");

    private Backends() {}

    /** Whether a backend opened, and what it is or why not. */
    public record Probe(String name, boolean available, String detail) {}

    /** Opens the named backend, or throws {@link BackendUnavailableException} saying why not. */
    public static Backend open(String name) {
        String key = name.toLowerCase(Locale.ROOT).trim();
        Supplier<Backend> factory = switch (key) {
            case "reference" -> ReferenceBackend::new;
            case "cpu" -> CpuBackend::new;
            case "cuda" -> CudaBackend::gpu;
            case "cuda-emulated" -> CudaBackend::emulated;
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'; choose one of " + NAMES);
        };
        try {
            return factory.get();
        } catch (Throwable e) {
            throw new BackendUnavailableException(key, reason(e), e);
        }
    }

    /** The backend a --backend option names: "auto" is {@link #select()}, any other value that backend. */
    public static Backend fromOption(String name) {
        return name.equalsIgnoreCase("auto") ? select() : open(name);
    }

    /** The backend named by rnb.backend / RNB_BACKEND, else the first that opens of cuda, cpu, reference. */
    public static Backend select() {
        String requested = System.getProperty("rnb.backend", System.getenv("RNB_BACKEND"));
        if (requested != null && !requested.isBlank() && !requested.equalsIgnoreCase("auto")) {
            return open(requested);
        }
        return select(List.of("cuda", "cpu", "reference"));
    }

    static Backend select(List<String> preference) {
        List<String> reasons = new ArrayList<>();
        for (String name : preference) {
            try {
                Backend b = open(name);
                if (!reasons.isEmpty()) {
                    System.err.println("rnb: " + String.join("; ", reasons) + "; using " + b.name());
                }
                return b;
            } catch (BackendUnavailableException e) {
                reasons.add(e.getMessage());
            }
        }
        throw new BackendUnavailableException(String.join(",", preference), String.join("; ", reasons));
    }

    /** Tries every backend, closing each again. */
    public static List<Probe> probeAll() {
        List<Probe> probes = new ArrayList<>();
        for (String name : NAMES) {
            try (Backend b = open(name)) {
                probes.add(new Probe(name, true, b.describe()));
            } catch (BackendUnavailableException e) {
                probes.add(new Probe(name, false, e.reason()));
            }
        }
        return probes;
    }

    private static final java.util.regex.Pattern MISSING_LIBRARY =
            java.util.regex.Pattern.compile("(lib[\\w.+-]+?\\.so[.\\d]*): cannot open shared object file");

    /**
     * Every message of the failure's cause chain, whole (JCuda's list of the
     * paths it tried, a driver's version line), one "type: message" per
     * cause; what {@code rnb info --backend NAME} prints when NAME does not open.
     */
    public static String fullReason(Throwable e) {
        StringBuilder s = new StringBuilder();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof BackendUnavailableException && t.getCause() != null) {
                continue; // its message is the one-line reason of what follows
            }
            if (s.length() > 0) s.append("\ncaused by ");
            s.append(t.getClass().getName()).append(": ").append(t.getMessage());
        }
        return s.toString();
    }

    /**
     * One line saying why: a missing shared library by name (JCuda and JavaCPP
     * bury it in multi-line messages), else the innermost exception's message.
     */
    public static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            java.util.regex.Matcher m = MISSING_LIBRARY.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                String lib = m.group(1);
                return lib + " not found" + (lib.startsWith("libcuda.so") ? ": no NVIDIA driver on this machine" : "");
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message == null || message.isBlank()) {
            message = root.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return newline >= 0 ? message.substring(0, newline) : message;
    }
}
