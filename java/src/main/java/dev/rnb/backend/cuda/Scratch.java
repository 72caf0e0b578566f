package dev.rnb.backend.cuda;

/**
 * Growable device buffers reused across calls, one per named slot, so a
 * training step does not pay cuMemAlloc for its small per-call arrays.
 */
final class Scratch implements AutoCloseable {
    private final CudaDevice device;
    private final long[] address;
    private final long[] capacity;

    Scratch(CudaDevice device, int slots) {
        this.device = device;
        this.address = new long[slots];
        this.capacity = new long[slots];
    }

    /** Address of slot {@code slot} holding at least {@code bytes}. */
    long get(int slot, long bytes) {
        if (bytes > capacity[slot]) {
            if (address[slot] != 0) {
                device.free(address[slot]);
            }
            long grown = Math.max(bytes, capacity[slot] * 2);
            address[slot] = device.alloc(grown);
            capacity[slot] = grown;
        }
        return address[slot];
    }

    long floats(int slot, float[] values) {
        long a = get(slot, (long) Math.max(1, values.length) * Float.BYTES);
        device.copyToDevice(a, values, 0, values.length);
        return a;
    }

    long ints(int slot, int[] values) {
        long a = get(slot, (long) Math.max(1, values.length) * Integer.BYTES);
        device.copyToDevice(a, values, 0, values.length);
        return a;
    }

    @Override
    public void close() {
        for (int i = 0; i < address.length; i++) {
            if (address[i] != 0) {
                device.free(address[i]);
                address[i] = 0;
                capacity[i] = 0;
            }
        }
    }
}
