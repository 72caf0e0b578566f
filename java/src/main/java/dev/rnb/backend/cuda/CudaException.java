package dev.rnb.backend.cuda;

/** A CUDA call or kernel launch failed. */
public class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }

    public CudaException(String message, Throwable cause) {
        super(message, cause);
    }
}
