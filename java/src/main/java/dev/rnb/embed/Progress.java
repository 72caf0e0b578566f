package dev.rnb.embed;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress line on standard error: texts done, texts/s and the time left
 * (estimated from tokens, since texts are embedded shortest first). On a
 * terminal it rewrites one line; otherwise it prints a line every 10 s.
 */
final class Progress {
    private static final long TERMINAL_EVERY_NANOS = 500_000_000L, LOG_EVERY_NANOS = 10_000_000_000L;

    private final PrintStream err;
    private final boolean terminal;
    private final int texts;
    private final long tokens;
    private final long start = System.nanoTime();
    private long lastPrint = start;
    private final boolean enabled;

    Progress(boolean enabled, int texts, long tokens) {
        this.err = System.err;
        this.terminal = System.console() != null;
        this.enabled = enabled;
        this.texts = texts;
        this.tokens = tokens;
    }

    void update(int textsDone, long tokensDone) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (now - lastPrint < (terminal ? TERMINAL_EVERY_NANOS : LOG_EVERY_NANOS)) return;
        lastPrint = now;
        double s = (now - start) / 1e9;
        double eta = tokensDone == 0 ? Double.NaN : s * (tokens - tokensDone) / tokensDone;
        String line = String.format(Locale.ROOT, "embedding %d/%d texts (%.0f%%), %.1f texts/s, ETA %s",
                textsDone, texts, 100.0 * tokensDone / Math.max(1, tokens), textsDone / s, Double.isNaN(eta) ? "?" : Math.round(eta) + " s");
        if (terminal) err.print("\r" + line);
        else err.println(line);
    }

    void finish(int done) {
        if (!enabled) return;
        double s = (System.nanoTime() - start) / 1e9;
        String line = String.format(Locale.ROOT, "embedded %d texts in %.1f s (%.1f texts/s)", done, s, done / Math.max(s, 1e-9));
        err.println(terminal ? "\r" + line + "          " : line);
    }
}
