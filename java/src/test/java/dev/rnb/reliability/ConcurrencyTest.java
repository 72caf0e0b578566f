package dev.rnb.reliability;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.balance.RnbBalancer;
import dev.rnb.balance.RoundResult;
import dev.rnb.testing.Compare;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the API allows concurrently (docs/RELIABILITY.md): Backends.open from
 * several threads at once, and separate balancers on separate backends in
 * parallel. Each gives the same bits as the same work done on one thread,
 * except cuda-emulated: like a GPU, it may add float atomics from concurrent
 * blocks in another order on each run (RNB_EMU_BLOCK_ORDER=concurrent, as in
 * CI), so there the results agree to float rounding.
 * (A backend, its tensors, DomainGradients and RnbBalancer are single-caller
 * and documented so; that is not something to test concurrently.)
 */
class ConcurrencyTest {
    private static final int K = 3, H = 8, V = 16, ROWS = 12, ROUNDS = 4;
    private static final String[] NAMES = {"reference", "cpu", "cuda-emulated"};

    /** ROUNDS balance rounds on a fresh backend; the proportions after each round, concatenated. */
    private static float[] work(String backend, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] trace = new float[ROUNDS * K];
        try (Backend b = Backends.open(backend); RnbBalancer balancer = RnbBalancer.builder(b, K, H, V).lambda(2f).build()) {
            for (int round = 0; round < ROUNDS; round++) {
                float[] h = new float[ROWS * H], e = new float[ROWS * V];
                int[] d = new int[ROWS];
                for (int i = 0; i < h.length; i++) h[i] = (float) r.nextDouble(-1, 1);
                for (int i = 0; i < e.length; i++) e[i] = (float) r.nextDouble(-1, 1);
                for (int i = 0; i < ROWS; i++) d[i] = r.nextInt(K);
                balancer.accumulate(h, e, d, ROWS);
                RoundResult result = balancer.endRound();
                System.arraycopy(result.proportions(), 0, trace, round * K, K);
            }
        }
        return trace;
    }

    @Test
    void backendsOpenFromManyThreadsAndSeparateBalancersRunInParallel() throws Exception {
        int threads = 6;
        List<float[]> expected = new ArrayList<>();
        for (int t = 0; t < threads; t++) expected.add(work(NAMES[t % NAMES.length], 100 + t));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int repeat = 0; repeat < 2; repeat++) {
                List<Future<float[]>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    futures.add(pool.submit(() -> work(NAMES[id % NAMES.length], 100 + id)));
                }
                for (int t = 0; t < threads; t++) {
                    String name = NAMES[t % NAMES.length], what = name + " in parallel equals the same work alone";
                    float[] got = futures.get(t).get(120, TimeUnit.SECONDS);
                    if (name.equals("cuda-emulated")) {
                        Compare.close(got, expected.get(t), 1e-5, what);
                    } else {
                        assertArrayEquals(expected.get(t), got, what);
                    }
                }
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void probeAllFromManyThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Backends.Probe>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) futures.add(pool.submit(Backends::probeAll));
            List<Backends.Probe> first = futures.get(0).get(120, TimeUnit.SECONDS);
            for (Future<List<Backends.Probe>> f : futures) {
                List<Backends.Probe> probes = f.get(120, TimeUnit.SECONDS);
                assertTrue(probes.size() == first.size());
                for (int i = 0; i < probes.size(); i++) {
                    assertTrue(probes.get(i).available() == first.get(i).available(), probes.get(i).toString());
                }
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
    }
}
