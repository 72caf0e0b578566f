package dev.rnb.cli;

import dev.rnb.backend.Backend;
import dev.rnb.backend.cuda.AttentionPath;
import dev.rnb.backend.cuda.CudaBackend;

/**
 * --attention: which attention the cuda backend runs (AttentionPath), parsed
 * with the other options and applied once the backend is open. Without it the
 * backend keeps what rnb.cuda.attention / RNB_CUDA_ATTENTION configured.
 */
final class AttentionOption {
    static final String DESCRIPTION = "cuda backend's attention: kernels (ours) or cudnn (cuDNN's where it is installed, "
            + "else ours with a note) (default: rnb.cuda.attention / RNB_CUDA_ATTENTION, else kernels)";

    private AttentionOption() {}

    /** The choice, or null when the option was not given. */
    static AttentionPath parse(String value) {
        return value == null ? null : AttentionPath.parse(value);
    }

    /** Applies a given choice to a cuda backend; asking another backend for cuDNN costs one line. */
    static void apply(Backend b, AttentionPath choice) {
        if (choice == null) {
            return;
        }
        if (b instanceof CudaBackend cuda) {
            cuda.useAttention(choice);
        } else if (choice == AttentionPath.CUDNN) {
            System.err.println("rnb: --attention cudnn applies to the cuda backend; " + b.name() + " runs its own attention");
        }
    }
}
