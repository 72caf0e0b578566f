package dev.rnb.backend.cpu;

import dev.rnb.backend.Backend;
import dev.rnb.backend.DeviceMemoryException;
import dev.rnb.backend.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A tensor in off-heap memory, where OpenBLAS and the C++ kernels read it in
 * place. A view shares its base's memory from an offset and frees nothing.
 */
final class NativeTensor implements Tensor {
    private final Backend owner;
    private final long size;
    private final NativeTensor base;
    private final long offset;
    private FloatPointer memory;

    NativeTensor(Backend owner, long size) {
        this.owner = owner;
        this.size = size;
        this.base = null;
        this.offset = 0;
        if (size > Long.MAX_VALUE / Float.BYTES) {
            throw new DeviceMemoryException(owner.name(), Long.MAX_VALUE, size + " floats do not fit in an address space");
        }
        try {
            this.memory = new FloatPointer(Math.max(1, size));
        } catch (OutOfMemoryError e) {
            throw new DeviceMemoryException(owner.name(), Math.max(1, size) * Float.BYTES, firstLine(e.getMessage()));
        }
        Pointer.memset(memory, 0, Math.max(1, size) * Float.BYTES);
    }

    private static String firstLine(String s) {
        if (s == null) return "malloc failed";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private NativeTensor(NativeTensor base, long offset, long size) {
        this.owner = base.owner;
        this.size = size;
        this.base = base.base != null ? base.base : base;
        this.offset = base.offset + offset;
        this.memory = null;
    }

    NativeTensor view(long offset, long size) { return new NativeTensor(this, offset, size); }

    /** The memory of a tensor the front door has checked to be the cpu backend's, from float {@code offset}. */
    static FloatPointer at(Tensor t, long offset) { return ((NativeTensor) t).at(offset); }

    /** The same from its first float. */
    static FloatPointer at(Tensor t) { return at(t, 0); }

    FloatPointer at(long offset) {
        if (base != null) {
            return base.at(this.offset + offset);
        }
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
