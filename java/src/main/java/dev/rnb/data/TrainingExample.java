package dev.rnb.data;

/** One training or evaluation text as bytes (UTF-8), with the id of its domain. */
public record TrainingExample(byte[] bytes, int domain) {
    public TrainingExample {
        if (domain < 0) {
            throw new IllegalArgumentException("domain id must be >= 0, got " + domain);
        }
    }
}
