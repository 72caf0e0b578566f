package dev.rnb.backend.cuda;

/** Host arrays into and out of a driver's memory, for tests that launch kernels directly. */
final class DeviceArrays {
    private DeviceArrays() {}

    static long upload(CudaDevice device, float[] values) {
        long a = device.alloc((long) Math.max(1, values.length) * Float.BYTES);
        device.copyToDevice(a, values, 0, values.length);
        return a;
    }

    static long upload(CudaDevice device, int[] values) {
        long a = device.alloc((long) Math.max(1, values.length) * Integer.BYTES);
        device.copyToDevice(a, values, 0, values.length);
        return a;
    }

    static float[] floats(CudaDevice device, long a, int n) {
        float[] out = new float[n];
        device.copyToHost(out, 0, a, n);
        return out;
    }

    static int[] ints(CudaDevice device, long a, int n) {
        int[] out = new int[n];
        device.copyToHost(out, 0, a, n);
        return out;
    }
}
