package dev.rnb.reliability;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.DeviceMemoryException;
import dev.rnb.backend.Tensor;
import dev.rnb.backend.cuda.CudaBackend;
import dev.rnb.backend.cuda.EmulatedDevice;
import dev.rnb.balance.RnbBalancer;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.TrainingExample;
import dev.rnb.model.GptConfig;
import dev.rnb.train.TrainOptions;
import dev.rnb.train.Trainer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Native and (emulated) device memory come back: many balance rounds and
 * train steps, and many balancers and trainers opened and closed, leave
 * JavaCPP's tracked bytes (Pointer.totalBytes: every FloatPointer of the cpu
 * backend, every launch-argument buffer of the emulator) and the emulated
 * device's live allocations where they started. An impossible allocation is
 * a clear DeviceMemoryException, and the backend stays usable.
 */
class ResourceTest {
    private static final int K = 3, H = 8, V = 16, ROWS = 12;

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = v * ((i % 7) - 3);
        return a;
    }

    /** JavaCPP's tracked native bytes once the collector has run the deallocators of unreachable pointers. */
    private static long trackedBytes() {
        System.gc();
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Pointer.totalBytes();
    }

    private static int live(Backend b) {
        return b instanceof CudaBackend c && c.device() instanceof EmulatedDevice d ? d.liveAllocations() : 0;
    }

    private static ByteDataset data() {
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < 8; i++) ex.add(new TrainingExample(("resource text " + i + " of some length").getBytes(StandardCharsets.UTF_8), i % 2));
        return new ByteDataset(ex, List.of("a", "b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda-emulated"})
    void balanceRoundsAndTrainStepsDoNotLeak(String name) {
        float[] h = filled(ROWS * H, 0.01f), e = filled(ROWS * V, 0.02f);
        int[] domains = new int[ROWS];
        for (int i = 0; i < ROWS; i++) domains[i] = i % K;
        boolean emulated = name.equals("cuda-emulated");
        int rounds = emulated ? 10 : 100, steps = emulated ? 3 : 30;
        try (Backend b = Backends.open(name)) {
            long tracked0 = 0;
            int live0 = 0;
            for (int cycle = 0; cycle < 3; cycle++) {
                if (cycle == 1) {
                    // the backend's own scratch buffers are allocated on first use and kept until it closes
                    tracked0 = trackedBytes();
                    live0 = live(b);
                }
                try (RnbBalancer balancer = RnbBalancer.builder(b, K, H, V).build()) {
                    for (int warm = 0; warm < 3; warm++) {
                        balancer.accumulate(h, e, domains, ROWS);
                        balancer.endRound();
                    }
                    long tracked = trackedBytes();
                    int live = live(b);
                    for (int round = 0; round < rounds; round++) {
                        balancer.accumulate(h, e, domains, ROWS);
                        balancer.accumulate(h, e, domains, ROWS);
                        balancer.endRound();
                    }
                    // Read without a collection first: every pointer a round allocates is closed by the round,
                    // none is left for the collector to free (the presets' blas_set_num_threads once was).
                    assertEquals(tracked, Pointer.totalBytes(), name + ": " + rounds + " rounds allocate nothing that stays");
                    assertEquals(live, live(b));
                }
                GptConfig cfg = emulated ? new GptConfig(4, 1, 1, 4) : new GptConfig(8, 1, 2, 8);
                try (Trainer t = new Trainer(b, cfg, TrainOptions.defaults(steps + 1, 2, 3), data())) {
                    t.trainStep();
                    long tracked = trackedBytes();
                    int live = live(b);
                    for (int s = 0; s < steps; s++) t.trainStep();
                    assertEquals(tracked, trackedBytes(), name + ": " + steps + " train steps allocate nothing that stays");
                    assertEquals(live, live(b));
                }
            }
            assertEquals(tracked0, trackedBytes(), name + ": closed balancers and trainers give everything back");
            assertEquals(live0, live(b));
        }
    }

    /** Resident memory over many cpu backend lifetimes (the emulated device is covered by its live allocations above). */
    @Test
    void physicalMemoryDoesNotGrowOverManyBackendLifetimes() {
        long before = 0;
        for (int i = 0; i < 40; i++) {
            if (i == 5) {
                System.gc();
                before = Pointer.physicalBytes();
            }
            try (Backend b = Backends.open("cpu"); RnbBalancer balancer = RnbBalancer.builder(b, 4, 256, 256).build()) {
                balancer.accumulate(filled(24 * 256, 0.01f), filled(24 * 256, 0.02f), new int[24], 24);
                balancer.endRound();
            }
        }
        System.gc();
        long growth = Pointer.physicalBytes() - before;
        // 35 lifetimes x 1 MiB of gradients (+ staging) would leak over 35 MiB; allow heap and JIT noise below that.
        assertTrue(growth < 32L << 20, "resident memory grew by " + (growth >> 20) + " MiB");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda-emulated"})
    void anImpossibleAllocationIsAClearError(String name) {
        try (Backend b = Backends.open(name)) {
            int live = live(b);
            long tracked = trackedBytes();
            for (long size : new long[] {1L << 50, Long.MAX_VALUE}) {
                DeviceMemoryException e = assertThrows(DeviceMemoryException.class, () -> b.allocate(size));
                String m = e.getMessage();
                assertTrue(m.startsWith(name + ": out of memory allocating "), m);
                assertTrue(m.contains("smaller --batch") && m.contains("sketched mode"), m);
                assertEquals(-1, m.indexOf('\n'), m);
            }
            assertEquals(live, live(b));
            assertEquals(tracked, trackedBytes());
            try (Tensor t = b.allocate(16)) {
                b.upload(new float[16], 0, t, 0, 16);
            }
        }
    }

    @Test
    void anImpossibleBalancerIsAClearError() {
        try (Backend b = Backends.open("cuda-emulated")) {
            DeviceMemoryException e = assertThrows(DeviceMemoryException.class,
                    () -> RnbBalancer.builder(b, 1 << 20, 4096, 50_000).build());
            assertTrue(e.getMessage().contains("sketched mode"), e.getMessage());
            assertEquals(0, live(b), "a failed build frees what it allocated");
        }
    }
}
