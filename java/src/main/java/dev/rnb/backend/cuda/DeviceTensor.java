package dev.rnb.backend.cuda;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;

/** A tensor in device memory (real or emulated). */
final class DeviceTensor implements Tensor {
    private final Backend owner;
    private final CudaDriver driver;
    private final long size;
    private long address;

    DeviceTensor(Backend owner, CudaDriver driver, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative tensor size " + size);
        }
        this.owner = owner;
        this.driver = driver;
        this.size = size;
        this.address = driver.alloc(Math.max(1, size) * Float.BYTES);
    }

    long address(long offsetFloats) {
        if (address == 0) {
            throw new IllegalStateException("tensor was closed");
        }
        return address + offsetFloats * Float.BYTES;
    }

    @Override public long size() { return size; }

    @Override public Backend backend() { return owner; }

    @Override
    public void close() {
        if (address != 0) {
            driver.free(address);
            address = 0;
        }
    }
}
