package dev.rnb.backend.cuda;

import dev.rnb.backend.Backend;
import dev.rnb.backend.DeviceMemoryException;
import dev.rnb.backend.Tensor;

/**
 * A tensor in device memory (real or emulated). A view shares its base's
 * memory from an offset and frees nothing.
 */
final class DeviceTensor implements Tensor {
    private final Backend owner;
    private final CudaMemory memory;
    private final long size;
    private final DeviceTensor base;
    private final long offset;
    private long address;

    DeviceTensor(Backend owner, CudaMemory memory, long size) {
        this.owner = owner;
        this.memory = memory;
        this.size = size;
        this.base = null;
        this.offset = 0;
        if (size > Long.MAX_VALUE / Float.BYTES) {
            throw new DeviceMemoryException(owner.name(), Long.MAX_VALUE, size + " floats do not fit in an address space");
        }
        this.address = memory.alloc(Math.max(1, size) * Float.BYTES);
    }

    private DeviceTensor(DeviceTensor base, long offset, long size) {
        this.owner = base.owner;
        this.memory = base.memory;
        this.size = size;
        this.base = base.base != null ? base.base : base;
        this.offset = base.offset + offset;
    }

    DeviceTensor view(long offset, long size) { return new DeviceTensor(this, offset, size); }

    /** The device address of float {@code offsetFloats} of a tensor the front door has checked to be the cuda backend's. */
    static long address(Tensor t, long offsetFloats) { return ((DeviceTensor) t).address(offsetFloats); }

    /** The same for its first float. */
    static long address(Tensor t) { return address(t, 0); }

    long address(long offsetFloats) {
        if (base != null) {
            return base.address(offset + offsetFloats);
        }
        if (address == 0) {
            throw new IllegalStateException("tensor was closed");
        }
        return address + offsetFloats * Float.BYTES;
    }

    @Override public long size() { return size; }

    @Override public Backend backend() { return owner; }

    @Override
    public void close() {
        if (base == null && address != 0) {
            memory.free(address, Math.max(1, size) * Float.BYTES);
            address = 0;
        }
    }
}
