package dev.rnb.backend.cuda;

import dev.rnb.backend.DeviceMemoryException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A "device" whose memory is host memory and whose kernels are the cuda/
 * sources compiled for the CPU (cuda/emulator). Launches run a block's threads
 * as real threads with real barriers, so the cuda backend's launch code and
 * every kernel are exercised on machines without a GPU.
 *
 * <p>Fresh allocations are filled with NaN bytes, as device memory holds
 * garbage: a kernel that reads memory nobody wrote shows up in the results.
 */
public final class EmulatedDevice implements CudaDevice {
    private static final java.util.concurrent.atomic.AtomicLong SYNCHRONIZATIONS = new java.util.concurrent.atomic.AtomicLong();
    private static final Set<String> LAUNCHED = java.util.Collections.synchronizedSet(new TreeSet<>());
    /** One allocation may take at most 1/4 of the host's memory (as one cudaMalloc cannot exceed the device's). */
    static final long MAX_ALLOCATION = physicalMemory() / 4;
    private final Map<Long, Pointer> allocations = new HashMap<>();
    private final HostOpenBlas blas = new HostOpenBlas();

    public EmulatedDevice() {
        Loader.load(EmulatorKernels.class);
    }

    private static long physicalMemory() {
        long bytes = Pointer.totalPhysicalBytes();
        return bytes > 0 ? bytes : 1L << 34;
    }

    /** Names of the kernels compiled into the emulator library. */
    public static Set<String> registeredKernels() {
        Loader.load(EmulatorKernels.class);
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < EmulatorKernels.rnb_emu_kernel_count(); i++) {
            names.add(EmulatorKernels.rnb_emu_kernel_name(i).getString());
        }
        return names;
    }

    /** Names of the kernels launched through any emulated device in this JVM. */
    public static Set<String> launchedKernels() {
        synchronized (LAUNCHED) {
            return new TreeSet<>(LAUNCHED);
        }
    }

    @Override
    public String describe() {
        return "cuda-emulated: " + registeredKernels().size() + " kernels of cuda/ compiled for the CPU, blocks as real threads; " + blas.describe();
    }

    @Override
    public synchronized long alloc(long bytes) {
        Pointer p = bytes > MAX_ALLOCATION ? null : Pointer.malloc(Math.max(1, bytes));
        if (p == null || p.isNull()) {
            throw new DeviceMemoryException("cuda-emulated", bytes, bytes > MAX_ALLOCATION
                    ? "above the emulated device's limit of " + MAX_ALLOCATION + " bytes per allocation" : "host malloc failed");
        }
        Pointer.memset(p, 0xFF, Math.max(1, bytes));
        allocations.put(p.address(), p);
        return p.address();
    }

    /** Allocations not yet freed (tests check that nothing leaks). */
    public synchronized int liveAllocations() {
        return allocations.size();
    }

    @Override
    public synchronized void free(long address) {
        Pointer p = allocations.remove(address);
        if (p == null) {
            throw new IllegalArgumentException("emulated device: free of unknown address 0x" + Long.toHexString(address));
        }
        Pointer.free(p);
    }

    @Override
    public void copyToDevice(long dst, float[] src, int srcOffset, int length) {
        RawAddress.floats(dst).put(src, srcOffset, length);
    }

    @Override
    public void copyToDevice(long dst, int[] src, int srcOffset, int length) {
        RawAddress.ints(dst).put(src, srcOffset, length);
    }

    @Override
    public void copyToHost(float[] dst, int dstOffset, long src, int length) {
        RawAddress.floats(src).get(dst, dstOffset, length);
    }

    @Override
    public void copyToHost(int[] dst, int dstOffset, long src, int length) {
        RawAddress.ints(src).get(dst, dstOffset, length);
    }

    @Override
    public void memsetZero(long dst, long bytes) {
        Pointer.memset(RawAddress.bytes(dst), 0, bytes);
    }

    @Override
    public void copyDeviceToDevice(long dst, long src, long bytes) {
        Pointer.memcpy(RawAddress.bytes(dst), RawAddress.bytes(src), bytes);
    }

    @Override
    public void launch(String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, KernelArgs args) {
        launch(EmulatorKernels::rnb_emu_launch, kernel, grid, block, dynamicSharedBytes, args);
    }

    /** rnb_emu_launch of one emulator library: the jar's kernels, or the tests' self-test kernels. */
    @FunctionalInterface
    public interface LaunchFunction {
        int launch(String kernel, int gx, int gy, int gz, int bx, int by, int bz, int dynamicSharedBytes,
                   PointerPointer<?> args, BytePointer err, int errLen);
    }

    /** Launches {@code kernel} through {@code library} on memory of any emulated device. */
    public static void launch(LaunchFunction library, String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, KernelArgs args) {
        int n = args.size();
        try (org.bytedeco.javacpp.LongPointer slots = new org.bytedeco.javacpp.LongPointer(Math.max(1, n));
             PointerPointer<Pointer> params = new PointerPointer<>(Math.max(1, n));
             BytePointer err = new BytePointer(512)) {
            // kernelParams convention: params[i] points at argument i's value;
            // ints and floats sit in the low half of a 64-bit little-endian slot.
            for (int i = 0; i < n; i++) {
                slots.put(i, args.bits(i));
                params.put(i, slots.getPointer(i));
            }
            int rc = library.launch(kernel, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                    dynamicSharedBytes, params, err, 512);
            if (rc != 0) {
                throw new CudaException("emulated launch of " + kernel + " failed: " + err.getString());
            }
        }
        LAUNCHED.add(kernel);
    }

    /** Launches run to completion, so there is nothing to wait for; counted for the tests of the overhead timers. */
    @Override public void synchronize() {
        SYNCHRONIZATIONS.incrementAndGet();
    }

    /** How many times any emulated device was synchronised in this JVM. */
    public static long synchronizations() { return SYNCHRONIZATIONS.get(); }

    @Override public DeviceBlas blas() { return blas; }

    @Override
    public synchronized void close() {
        for (Pointer p : allocations.values()) {
            Pointer.free(p);
        }
        allocations.clear();
        blas.close();
    }
}
