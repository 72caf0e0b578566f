package dev.rnb.backend.cpu;

import dev.rnb.backend.Backend;
import dev.rnb.backend.DeviceMemoryException;
import dev.rnb.backend.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A tensor in off-heap memory, where OpenBLAS and the C++ kernels read it in
 * place. A view shares its base's memory from an offset and frees nothing.
 * The first float is on a 64-byte boundary (a cache line, one AVX-512
 * vector): malloc gives 16, and AVX-512 loads from rows 16 bytes off a line
 * each straddle two lines, which doubled R&amp;B's G p over the touched
 * sketches (320 x 1024 floats, in L2) against aligned rows. A tensor asked
 * for on huge pages is mapped on its own, 2 MiB-aligned (native/huge_pages.cpp).
 */
final class NativeTensor implements Tensor {
    private final Backend owner;
    private final long size;
    private final NativeTensor base;
    private final long offset;
    private FloatPointer memory;
    /** Floats from the allocation's start to the first 64-byte boundary (0 for a view). */
    private final long start;
    /**
     * {@link #at}(0) of an allocation (null for a view), made once: JavaCPP's
     * {@code getPointer} builds a pointer by reflection (80 to 170 ns a call
     * here), and most native calls start at a tensor's first float, several
     * a step of R&amp;B's accumulation. Callers only pass it to native calls
     * (none moves its position or closes it).
     */
    private final FloatPointer first;

    NativeTensor(Backend owner, long size) {
        this(owner, size, false);
    }

    /**
     * {@code hugePages}: on 2 MiB pages where the kernel grants them
     * ({@link Backend#allocateHugePaged}), if the tensor fills at least one;
     * a smaller one is allocated as any other.
     */
    NativeTensor(Backend owner, long size, boolean hugePages) {
        this.owner = owner;
        this.size = size;
        this.base = null;
        this.offset = 0;
        if (size > Long.MAX_VALUE / Float.BYTES - HUGE_PAGE_BYTES) {
            throw new DeviceMemoryException(owner.name(), Long.MAX_VALUE, size + " floats do not fit in an address space");
        }
        this.mappedBytes = hugePages && size * Float.BYTES >= HUGE_PAGE_BYTES ? size * Float.BYTES : 0;
        if (mappedBytes > 0) {
            this.memory = CpuKernels.rnb_cpu_map_huge(mappedBytes); // zero-filled, 2 MiB-aligned
            if (memory == null || memory.isNull()) {
                throw new DeviceMemoryException(owner.name(), mappedBytes, "mmap of " + mappedBytes + " bytes failed");
            }
            memory.capacity(size);
            this.start = 0;
        } else {
            long floats = Math.max(1, size) + ALIGN_FLOATS - 1;
            try {
                this.memory = new FloatPointer(floats);
            } catch (OutOfMemoryError e) {
                throw new DeviceMemoryException(owner.name(), floats * Float.BYTES, firstLine(e.getMessage()));
            }
            this.start = Math.floorMod(-memory.address(), (long) ALIGN_FLOATS * Float.BYTES) / Float.BYTES;
            Pointer.memset(memory, 0, floats * Float.BYTES);
        }
        this.first = memory.getPointer(start);
    }

    private static final int ALIGN_FLOATS = 16;

    /** A transparent huge page on x86-64 (and the alignment rnb_cpu_map_huge gives). */
    static final long HUGE_PAGE_BYTES = 2L << 20;

    /** Bytes asked of rnb_cpu_map_huge, to free them with; 0 for malloc'd memory and views. */
    private final long mappedBytes;

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
        this.start = 0;
        this.first = null;
        this.mappedBytes = 0;
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
        if (offset == 0) { // the common case, once per native call: kept, as JavaCPP makes each pointer by reflection
            return first;
        }
        return memory.getPointer(start + offset);
    }

    @Override public long size() { return size; }

    @Override public Backend backend() { return owner; }

    @Override
    public void close() {
        if (memory != null) {
            if (mappedBytes > 0) {
                CpuKernels.rnb_cpu_unmap_huge(memory, mappedBytes);
            } else {
                memory.close();
            }
            memory = null;
        }
    }
}
