package dev.rnb.backend.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of cuda/emulator/emulator_api.h: the kernels of cuda/,
 * compiled by g++ against the emulation header, launched by name.
 */
@Platform(include = "emulator_api.h", link = {"pthread", "rnb_cuda_emu"})
public final class EmulatorKernels {
    static {
        Loader.load();
    }

    private EmulatorKernels() {}

    public static native int rnb_emu_launch(String kernel, int gx, int gy, int gz, int bx, int by, int bz,
                                            int dynamicSharedBytes, PointerPointer<?> args, @Cast("char*") BytePointer err, int errLen);

    public static native int rnb_emu_kernel_count();

    public static native @Cast("const char*") BytePointer rnb_emu_kernel_name(int i);

    /** Barrier watchdog in ms (default 20000); returns the previous value. */
    public static native int rnb_emu_set_watchdog_ms(int ms);
}
