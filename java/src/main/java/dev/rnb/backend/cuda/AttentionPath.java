package dev.rnb.backend.cuda;

import java.util.Locale;

/**
 * Which attention the cuda backend runs: our kernels (cuda/attention.cu, the
 * default) or cuDNN's multi-head attention ({@link CudnnAttention}). Chosen by
 * the system property {@code rnb.cuda.attention}, the environment variable
 * RNB_CUDA_ATTENTION, or the CLI's --attention.
 */
public enum AttentionPath {
    KERNELS, CUDNN;

    public static final String PROPERTY = "rnb.cuda.attention";
    public static final String ENVIRONMENT = "RNB_CUDA_ATTENTION";

    /** "kernels" or "cudnn" (any case); anything else is an IllegalArgumentException naming the choices. */
    public static AttentionPath parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "kernels" -> KERNELS;
            case "cudnn" -> CUDNN;
            default -> throw new IllegalArgumentException("unknown cuda attention '" + value + "'; choose kernels or cudnn");
        };
    }

    /** The property, else the environment variable, else KERNELS. */
    public static AttentionPath configured() {
        String value = System.getProperty(PROPERTY, System.getenv(ENVIRONMENT));
        return value == null || value.isBlank() ? KERNELS : parse(value);
    }

    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
