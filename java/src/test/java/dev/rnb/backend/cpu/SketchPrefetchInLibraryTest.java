package dev.rnb.backend.cpu;

import dev.rnb.testing.TestBackends;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sketch kernel's prefetch of the sketch rows is in the built library:
 * every instruction set's {@code domain_sketch_small} in the loaded
 * libjniModelKernels.so holds a {@code prefetcht0}. Nothing else can see it
 * (a prefetch changes no value), and GCC 12 once removed it without a word
 * (native/domain_pieces_small.cpp, {@code ask_for_line};
 * docs/scaling/round-cost-journal.md, "The sketch rows' prefetch, compiled in"). x86-64 ELF only.
 */
class SketchPrefetchInLibraryTest {
    private static final String KERNEL = "domain_sketch_small";
    /** Its mangled name in an instruction set's namespace (rnb_isa_baseline::domain_sketch_small(...), ...), not the C dispatcher's. */
    private static final String MANGLED = "19" + KERNEL;

    @Test
    void everyInstructionSetsSketchKernelPrefetches() throws IOException {
        Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"), "x86-64 only");
        TestBackends.openOrSkip("cpu").close();
        String library = Loader.load(ModelKernels.class);
        Assumptions.assumeTrue(library != null && Files.isRegularFile(Path.of(library)), "the library's file is not known");
        List<Integer> prefetches = prefetchesPerKernel(Files.readAllBytes(Path.of(library)));
        assertEquals(3, prefetches.size(), "baseline, avx2 and avx512 " + KERNEL + " in " + library);
        for (int count : prefetches) assertTrue(count > 0, "a " + KERNEL + " without prefetcht0 in " + library + ": " + prefetches);
    }

    /** For each instruction set's {@link #KERNEL} among the exported symbols: the prefetcht0 instructions in its bytes. */
    static List<Integer> prefetchesPerKernel(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        assertTrue(elf.length > 64 && b.getInt(0) == 0x464C457F && elf[4] == 2 && elf[5] == 1, "a 64-bit little-endian ELF file");
        long sectionHeaders = b.getLong(0x28);
        int headerSize = b.getShort(0x3A) & 0xFFFF, sections = b.getShort(0x3C) & 0xFFFF;
        List<Integer> counts = new ArrayList<>();
        for (int s = 0; s < sections; s++) {
            int at = (int) (sectionHeaders + (long) s * headerSize);
            if (b.getInt(at + 4) != 11) continue; // SHT_DYNSYM: the exported functions
            int symbols = (int) b.getLong(at + 24), size = (int) b.getLong(at + 32), entry = (int) b.getLong(at + 56);
            int names = (int) b.getLong((int) (sectionHeaders + (long) b.getInt(at + 40) * headerSize) + 24);
            for (int y = symbols; y < symbols + size; y += entry) {
                long value = b.getLong(y + 8), length = b.getLong(y + 16);
                int section = b.getShort(y + 6) & 0xFFFF;
                if (length == 0 || section == 0 || section >= sections || !isKernel(name(elf, names + b.getInt(y)))) continue;
                int holder = (int) (sectionHeaders + (long) section * headerSize);
                int start = (int) (value - b.getLong(holder + 16) + b.getLong(holder + 24));
                counts.add(prefetcht0s(elf, start, (int) length));
            }
        }
        return counts;
    }

    private static boolean isKernel(String symbol) {
        return symbol.startsWith("_ZN") && symbol.contains(MANGLED);
    }

    private static String name(byte[] elf, int at) {
        int end = at;
        while (elf[end] != 0) end++;
        return new String(elf, at, end - at, StandardCharsets.US_ASCII);
    }

    /** 0F 18 with ModRM's reg field 1: prefetcht0. */
    private static int prefetcht0s(byte[] elf, int start, int length) {
        int n = 0;
        for (int i = start; i + 2 < start + length; i++) {
            if (elf[i] == 0x0F && elf[i + 1] == 0x18 && ((elf[i + 2] >> 3) & 7) == 1) n++;
        }
        return n;
    }
}
