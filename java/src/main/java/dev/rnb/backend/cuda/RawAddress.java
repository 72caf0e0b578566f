package dev.rnb.backend.cuda;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/** JavaCPP views of a raw address: the emulator's host memory, or a device address handed to cuBLAS. */
final class RawAddress extends Pointer {
    private RawAddress(long address) {
        this.address = address;
    }

    static FloatPointer floats(long address) { return new FloatPointer(new RawAddress(address)); }

    static IntPointer ints(long address) { return new IntPointer(new RawAddress(address)); }

    static Pointer bytes(long address) { return new RawAddress(address); }
}
