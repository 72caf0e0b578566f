package dev.rnb.backend;

/**
 * Outcome of one R&B update p' = softmax(lambda * G p / ||G p||).
 *
 * @param next   the new training proportions (the current ones when skipped)
 * @param status what happened
 */
public record BalanceStep(float[] next, Status status) {

    /** Codes shared with the kernels (cuda/KERNELS.md, native/rnb_cpu.h). */
    public enum Status {
        UPDATED,
        /** A present domain's (G p)_i was NaN or infinite: round skipped, proportions kept. */
        SKIPPED_NON_FINITE,
        /** ||G p|| was 0 (e.g. all gradients zero): round skipped, proportions kept. */
        SKIPPED_ZERO_NORM,
        /** No domain had a row this round: round skipped, proportions kept. */
        SKIPPED_NO_DOMAIN;

        public static Status fromCode(int code) {
            Status[] all = values();
            if (code < 0 || code >= all.length) {
                throw new IllegalStateException("unknown balance status code " + code);
            }
            return all[code];
        }

        public boolean skipped() {
            return this != UPDATED;
        }
    }
}
