package dev.rnb.backend.cuda;

import dev.rnb.backend.Backend;
import dev.rnb.backend.DeviceMemoryException;
import dev.rnb.backend.Tensor;

/**
 * A tensor in device memory (real or emulated). A view shares its base's
 * memory from an offset and frees nothing.
 */
final class DeviceTensor implements Tensor {
    private final CudaBackend owner;
    private final CudaDriver driver;
    private final long size;
    private final DeviceTensor base;
    private final long offset;
    private long address;

    DeviceTensor(CudaBackend owner, CudaDriver driver, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative tensor size " + size);
        }
        this.owner = owner;
        this.driver = driver;
        this.size = size;
        this.base = null;
        this.offset = 0;
        if (size > Long.MAX_VALUE / Float.BYTES) {
            throw new DeviceMemoryException(owner.name(), Long.MAX_VALUE, size + " floats do not fit in an address space");
        }
        this.address = driver.alloc(Math.max(1, size) * Float.BYTES);
    }

    private DeviceTensor(DeviceTensor base, long offset, long size) {
        this.owner = base.owner;
        this.driver = base.driver;
        this.size = size;
        this.base = base.base != null ? base.base : base;
        this.offset = base.offset + offset;
    }

    DeviceTensor view(long offset, long size) {
        if (offset < 0 || size < 0 || offset + size > this.size) {
            throw new IndexOutOfBoundsException("view [" + offset + ", " + (offset + size) + ") outside a tensor of " + this.size + " floats");
        }
        return new DeviceTensor(this, offset, size);
    }

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
            owner.released(address, Math.max(1, size) * Float.BYTES);
            driver.free(address);
            address = 0;
        }
    }
}
