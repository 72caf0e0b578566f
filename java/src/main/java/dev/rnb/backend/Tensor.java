package dev.rnb.backend;

/**
 * A float buffer owned by one backend: a Java array for reference, off-heap
 * memory for cpu, device memory for cuda. Only its backend may read or write it.
 */
public interface Tensor extends AutoCloseable {
    /** Number of floats. */
    long size();

    /** The backend that owns this buffer. */
    Backend backend();

    /** Releases the memory; idempotent. */
    @Override
    void close();
}
