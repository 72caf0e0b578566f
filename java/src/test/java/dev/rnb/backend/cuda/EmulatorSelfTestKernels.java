package dev.rnb.backend.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of cuda/emulator/emulator_api.h for the emulator's test
 * library: its own copy of the emulator with only the self-test kernels of
 * cuda/emulator/selftest_kernels.cu (built into target/test-classes, never
 * into the jar or the fatbin).
 */
@Platform(include = "emulator_api.h", link = {"pthread", "rnb_cuda_emu_selftest"})
final class EmulatorSelfTestKernels {
    static {
        Loader.load();
    }

    private EmulatorSelfTestKernels() {}

    static native int rnb_emu_launch(String kernel, int gx, int gy, int gz, int bx, int by, int bz,
                                     int dynamicSharedBytes, PointerPointer<?> args, @Cast("char*") BytePointer err, int errLen);

    static native int rnb_emu_kernel_count();

    static native @Cast("const char*") BytePointer rnb_emu_kernel_name(int i);

    /** Barrier watchdog in ms (default 20000); returns the previous value. */
    static native int rnb_emu_set_watchdog_ms(int ms);

    /** Blocks run at once (1: one after another; n >= 2: concurrently, random order); returns the previous value. */
    static native int rnb_emu_set_concurrent_blocks(int n);

    /** Names of the kernels in this library. */
    static java.util.Set<String> registeredKernels() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (int i = 0; i < rnb_emu_kernel_count(); i++) {
            names.add(rnb_emu_kernel_name(i).getString());
        }
        return names;
    }
}
