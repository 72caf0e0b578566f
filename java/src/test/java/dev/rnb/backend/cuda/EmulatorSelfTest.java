package dev.rnb.backend.cuda;

import dev.rnb.testing.CoversKernels;
import dev.rnb.testing.Rng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The emulator itself, on its self-test kernels (cuda/emulator/selftest_kernels.cu,
 * in the test library only) and an emulated device's memory: kernels whose
 * results are right only if barriers, shared memory, warp shuffles and atomics
 * behave as on a GPU, deliberately broken kernels that must fail their launch
 * with a message instead of hanging, and deliberately racy ones that the
 * strict modes (poisoned shared memory, concurrent blocks) must expose.
 * Inputs are small integers so every float sum is exact.
 */
@CoversKernels({"rnb_selftest_block_reverse", "rnb_selftest_reverse_racy", "rnb_selftest_block_sum",
        "rnb_selftest_warp_allreduce", "rnb_selftest_histogram", "rnb_selftest_atomics",
        "rnb_selftest_dynamic_shared_scan", "rnb_selftest_barrier_bench", "rnb_selftest_misuse",
        "rnb_selftest_stale_shared", "rnb_selftest_unsynchronised_total"})
class EmulatorSelfTest {
    private static EmulatedDevice device;

    @BeforeAll
    static void open() {
        device = new EmulatedDevice();
    }

    @AfterAll
    static void close() {
        device.close();
    }

    private static void launch(String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, KernelArgs args) {
        EmulatedDevice.launch(EmulatorSelfTestKernels::rnb_emu_launch, kernel, grid, block, dynamicSharedBytes, args);
    }

    private static long floats(float[] values) { return DeviceArrays.upload(device, values); }

    private static long ints(int[] values) { return DeviceArrays.upload(device, values); }

    private static float[] readFloats(long a, int n) { return DeviceArrays.floats(device, a, n); }

    private static int[] readInts(long a, int n) { return DeviceArrays.ints(device, a, n); }

    private static float[] smallInts(Rng rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.nextInt(17) - 8;
        return x;
    }

    private static float[] reverseByBlock(float[] in, int block) {
        float[] want = new float[in.length];
        for (int base = 0; base < in.length; base += block) {
            int len = Math.min(block, in.length - base);
            for (int t = 0; t < len; t++) want[base + t] = in[base + len - 1 - t];
        }
        return want;
    }

    @Test
    void blockReverseNeedsTheBarrier() {
        Rng rng = new Rng();
        for (int block : new int[] {32, 100, 256}) {
            int n = 3 * block + 17;
            float[] in = smallInts(rng, n);
            long din = floats(in), dout = floats(new float[n]);
            launch("rnb_selftest_block_reverse", Dim3.of(Dim3.blocks(n, block)), Dim3.of(block), 0,
                    new KernelArgs().ptr(din).ptr(dout).i32(n));
            assertArrayEquals(reverseByBlock(in, block), readFloats(dout, n), "block " + block + " " + rng);
            device.free(din);
            device.free(dout);
        }
    }

    @Test
    void aMissingBarrierShowsUpAsAWrongResult() {
        Rng rng = new Rng();
        int block = 256, n = 4 * block;
        float[] in = new float[n];
        for (int i = 0; i < n; i++) in[i] = i + 1; // distinct, so any stale read is visible
        float[] want = reverseByBlock(in, block);
        long din = floats(in), dout = floats(new float[n]);
        int wrong = 0;
        for (int attempt = 0; attempt < 5; attempt++) {
            launch("rnb_selftest_reverse_racy", Dim3.of(4), Dim3.of(block), 0, new KernelArgs().ptr(din).ptr(dout).i32(n));
            if (!java.util.Arrays.equals(want, readFloats(dout, n))) wrong++;
        }
        assertTrue(wrong > 0, "the racy kernel gave the right answer 5 times: threads are not concurrent " + rng);
        device.free(din);
        device.free(dout);
    }

    @Test
    void blockSumUsesShufflesAndSharedMemory() {
        Rng rng = new Rng();
        for (int block : new int[] {32, 96, 256}) {
            int n = 5 * block - 3;
            float[] in = smallInts(rng, n);
            int blocks = Dim3.blocks(n, block);
            long din = floats(in), dout = floats(new float[blocks]);
            launch("rnb_selftest_block_sum", Dim3.of(blocks), Dim3.of(block), 0, new KernelArgs().ptr(din).ptr(dout).i32(n));
            float[] want = new float[blocks];
            for (int i = 0; i < n; i++) want[i / block] += in[i];
            assertArrayEquals(want, readFloats(dout, blocks), "block " + block + " " + rng);
            device.free(din);
            device.free(dout);
        }
    }

    @Test
    void butterflyAllReduceGivesEveryLaneTheWarpTotal() {
        Rng rng = new Rng();
        int n = 4 * 64;
        float[] in = smallInts(rng, n);
        long din = floats(in), dout = floats(new float[n]);
        launch("rnb_selftest_warp_allreduce", Dim3.of(4), Dim3.of(64), 0, new KernelArgs().ptr(din).ptr(dout));
        float[] want = new float[n];
        for (int w = 0; w < n / 32; w++) {
            float total = 0;
            for (int l = 0; l < 32; l++) total += in[w * 32 + l];
            for (int l = 0; l < 32; l++) want[w * 32 + l] = total;
        }
        assertArrayEquals(want, readFloats(dout, n), rng.toString());
        device.free(din);
        device.free(dout);
    }

    @Test
    void histogramAndAtomicsCountEveryUpdate() {
        Rng rng = new Rng();
        int n = 5000, bins = 37;
        int[] values = rng.ints(n, bins);
        long din = ints(values), dbins = ints(new int[bins]);
        launch("rnb_selftest_histogram", Dim3.of(3), Dim3.of(128), 0, new KernelArgs().ptr(din).i32(n).ptr(dbins).i32(bins));
        int[] want = new int[bins];
        for (int v : values) want[v]++;
        assertArrayEquals(want, readInts(dbins, bins), rng.toString());

        float[] x = smallInts(rng, n);
        long dx = floats(x), sum = floats(new float[1]), max = ints(new int[] {Integer.MIN_VALUE}), cas = ints(new int[1]);
        launch("rnb_selftest_atomics", Dim3.of(Dim3.blocks(n, 256)), Dim3.of(256), 0,
                new KernelArgs().ptr(dx).ptr(din).i32(n).ptr(sum).ptr(max).ptr(cas));
        float total = 0;
        int maxValue = Integer.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            total += x[i];
            maxValue = Math.max(maxValue, values[i]);
        }
        assertEquals(total, readFloats(sum, 1)[0]);
        assertEquals(maxValue, readInts(max, 1)[0]);
        assertEquals(n, readInts(cas, 1)[0]);
        for (long a : new long[] {din, dbins, dx, sum, max, cas}) device.free(a);
    }

    @Test
    void scanInDynamicSharedMemory() {
        Rng rng = new Rng();
        for (int[] shape : new int[][] {{1, 64}, {7, 128}, {3, 96}}) {
            int blocks = shape[0], block = shape[1], n = 1000 + rng.nextInt(200);
            int[] in = rng.ints(n, 9);
            long din = ints(in), dout = ints(new int[n]);
            launch("rnb_selftest_dynamic_shared_scan", Dim3.of(blocks), Dim3.of(block), 2 * block * Integer.BYTES,
                    new KernelArgs().ptr(din).ptr(dout).i32(n));
            int seg = (n + blocks - 1) / blocks;
            int[] want = new int[n];
            for (int i = 0; i < n; i++) want[i] = in[i] + (i % seg == 0 ? 0 : want[i - 1]);
            assertArrayEquals(want, readInts(dout, n), blocks + "x" + block + " " + rng);
            device.free(din);
            device.free(dout);
        }
    }

    @Test
    void barrierRoundsMatchASequentialSimulation() {
        int block = 64, blocks = 2, iters = 5;
        long data = floats(new float[block * blocks]);
        launch("rnb_selftest_barrier_bench", Dim3.of(blocks), Dim3.of(block), 0, new KernelArgs().ptr(data).i32(iters));
        float[] v = new float[block];
        for (int t = 0; t < block; t++) v[t] = t;
        for (int k = 0; k < iters; k++) {
            float[] next = new float[block];
            for (int t = 0; t < block; t++) next[t] = v[t] + v[(t + 1) % block];
            v = next;
        }
        float[] got = readFloats(data, block * blocks);
        for (int b = 0; b < blocks; b++) {
            assertArrayEquals(v, java.util.Arrays.copyOfRange(got, b * block, (b + 1) * block));
        }
        device.free(data);
    }

    @Test
    void brokenKernelsAndBadLaunchesFailWithAMessage() {
        long out = floats(new float[64]);
        for (int mode : new int[] {0, 1, 2, 4, 5}) {
            CudaException e = assertThrows(CudaException.class, () -> launch("rnb_selftest_misuse", Dim3.of(1), Dim3.of(64), 0,
                    new KernelArgs().i32(mode).i64(0).ptr(out)), "misuse mode " + mode);
            assertTrue(e.getMessage().contains("rnb_selftest_misuse"), e.getMessage());
        }
        int previous = EmulatorSelfTestKernels.rnb_emu_set_watchdog_ms(300);
        try {
            CudaException e = assertThrows(CudaException.class, () -> launch("rnb_selftest_misuse", Dim3.of(1), Dim3.of(64), 0,
                    new KernelArgs().i32(3).i64(1_000_000_000L).ptr(out)));
            assertTrue(e.getMessage().contains("rnb_selftest_misuse"), e.getMessage());
        } finally {
            EmulatorSelfTestKernels.rnb_emu_set_watchdog_ms(previous);
        }
        assertThrows(CudaException.class, () -> launch("rnb_selftest_block_sum", Dim3.of(1), Dim3.of(2048), 0,
                new KernelArgs().ptr(out).ptr(out).i32(1)));
        CudaException unknown = assertThrows(CudaException.class, () -> launch("no_such_kernel", Dim3.of(1), Dim3.of(32), 0, new KernelArgs()));
        assertTrue(unknown.getMessage().contains("no_such_kernel"), unknown.getMessage());
        // The emulator still works after all of that.
        blockReverseNeedsTheBarrier();
        device.free(out);
    }

    @Test
    void sharedMemoryAnotherBlockWroteReadsAsPoison() {
        Rng rng = new Rng();
        for (int concurrent : new int[] {1, 4}) {
            int previous = EmulatorSelfTestKernels.rnb_emu_set_concurrent_blocks(concurrent);
            try {
                int blocks = 3 + rng.nextInt(6), block = 32 * (1 + rng.nextInt(8));
                float[] in = smallInts(rng, block);
                long din = floats(in), dout = floats(new float[blocks * block]);
                launch("rnb_selftest_stale_shared", Dim3.of(blocks), Dim3.of(block), 0, new KernelArgs().ptr(din).ptr(dout));
                float[] out = readFloats(dout, blocks * block);
                assertArrayEquals(in, java.util.Arrays.copyOf(out, block), "block 0 " + rng);
                for (int i = block; i < out.length; i++) {
                    assertTrue(Float.isNaN(out[i]), "element " + i + " read another block's shared memory: " + out[i]
                            + " (concurrent " + concurrent + ") " + rng);
                }
                device.free(din);
                device.free(dout);
            } finally {
                EmulatorSelfTestKernels.rnb_emu_set_concurrent_blocks(previous);
            }
        }
    }

    /** A missing atomicAdd between blocks: right one block at a time, in any order; wrong when blocks run concurrently. */
    @Test
    void concurrentBlocksExposeARaceBetweenBlocks() {
        int blocks = 16, block = 32, delayNs = 1_000_000;
        float[] ones = new float[blocks * block];
        java.util.Arrays.fill(ones, 1f);
        long din = floats(ones), total = floats(new float[1]);
        int[] wrong = new int[2];
        for (int mode = 0; mode < 2; mode++) {
            int previous = EmulatorSelfTestKernels.rnb_emu_set_concurrent_blocks(mode == 0 ? 1 : 4);
            try {
                for (int attempt = 0; attempt < 5; attempt++) {
                    device.copyToDevice(total, new float[1], 0, 1);
                    launch("rnb_selftest_unsynchronised_total", Dim3.of(blocks), Dim3.of(block), 0,
                            new KernelArgs().ptr(din).ptr(total).i32(delayNs));
                    if (readFloats(total, 1)[0] != blocks * block) wrong[mode]++;
                }
            } finally {
                EmulatorSelfTestKernels.rnb_emu_set_concurrent_blocks(previous);
            }
        }
        assertEquals(0, wrong[0], "blocks one at a time lost an update");
        assertTrue(wrong[1] > 0, "concurrent blocks never lost an update in 5 launches: blocks do not overlap");
        device.free(din);
        device.free(total);
    }
}
