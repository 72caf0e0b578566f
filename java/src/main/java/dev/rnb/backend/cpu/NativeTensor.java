package dev.rnb.backend.cpu;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/** A tensor in off-heap memory, where OpenBLAS and the C++ kernels read it in place. */
final class NativeTensor implements Tensor {
    private final Backend owner;
    private final long size;
    private FloatPointer memory;

    NativeTensor(Backend owner, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative tensor size " + size);
        }
        this.owner = owner;
        this.size = size;
        this.memory = new FloatPointer(Math.max(1, size));
        Pointer.memset(memory, 0, Math.max(1, size) * Float.BYTES);
    }

    FloatPointer at(long offset) {
        if (memory == null) {
            throw new IllegalStateException("tensor was closed");
        }
        return memory.getPointer(offset);
    }

    @Override public long size() { return size; }

    @Override public Backend backend() { return owner; }

    @Override
    public void close() {
        if (memory != null) {
            memory.close();
            memory = null;
        }
    }
}
