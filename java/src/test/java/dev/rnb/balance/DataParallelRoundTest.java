package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.testing.Compare;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data parallelism: N replicas, each on its own thread and backend, each
 * accumulating its share of every global batch of B rows and all-reducing at
 * the end of the round, end every round with the p' one process gets from the
 * whole batches; with a hierarchy of groups too (two and three levels, with
 * and without carried scores): the reduction comes before the update.
 */
class DataParallelRoundTest {
    private static final int K = 5, H = 12, V = 16, ROUNDS = 2, BATCHES_PER_ROUND = 3;

    /** One global batch: B rows of H and E and their domains. */
    private record GlobalBatch(float[] h, float[] e, int[] domains, int rows) {}

    @ParameterizedTest(name = "{0}, sketch {1}, {2} replicas, hierarchy {3}")
    @CsvSource({"reference,0,2,", "reference,64,3,", "cpu,0,4,", "cpu,256,3,", "cuda-emulated,0,2,", "cuda-emulated,128,3,",
            "reference,0,3,two", "cpu,0,2,three", "cpu,64,3,three+carry", "cuda-emulated,0,3,three+carry", "cuda-emulated,128,2,two"})
    void replicasWithShardsOfTheBatchEqualOneProcessWithTheWholeBatch(String backend, int sketch, int replicas, String hier) throws Exception {
        Rng rng = new Rng();
        List<List<GlobalBatch>> rounds = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            List<GlobalBatch> batches = new ArrayList<>();
            for (int b = 0; b < BATCHES_PER_ROUND; b++) {
                int rows = 37 + rng.nextInt(80);
                int[] dom = rng.ints(rows, K);
                // Domain 3 absent: logit 0 everywhere; domain 0 absent from the second round (its carried score, if any).
                for (int i = 0; i < rows; i++) if (dom[i] == 3 || (r == 1 && dom[i] == 0)) dom[i] = 1;
                batches.add(new GlobalBatch(rng.gaussian(rows * H), rng.gaussian(rows * V), dom, rows));
            }
            rounds.add(batches);
        }
        float[] evalP = {0.1f, 0.3f, 0.2f, 0.15f, 0.25f};

        List<RoundResult> single;
        try (Backend b = TestBackends.openOrSkip(backend);
             RnbBalancer balancer = withHierarchy(RnbBalancer.builder(b, K, H, V).sketch(sketch).seed(7).evalProportions(evalP), hier)
                     .build()) {
            single = new ArrayList<>();
            for (List<GlobalBatch> round : rounds) {
                for (GlobalBatch g : round) balancer.accumulate(g.h(), g.e(), g.domains(), g.rows());
                single.add(balancer.endRound());
            }
        }

        // Each global batch is cut at random points into one contiguous shard per replica (some may be empty).
        List<List<int[]>> cuts = new ArrayList<>();
        for (List<GlobalBatch> round : rounds) {
            List<int[]> perBatch = new ArrayList<>();
            for (GlobalBatch g : round) perBatch.add(cutPoints(rng, g.rows(), replicas));
            cuts.add(perBatch);
        }
        List<GradientReducer> group = InProcessReducer.group(replicas, 60);
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        try {
            List<Future<List<RoundResult>>> futures = new ArrayList<>();
            for (int rank = 0; rank < replicas; rank++) {
                int me = rank;
                futures.add(pool.submit(() -> {
                    List<RoundResult> out = new ArrayList<>();
                    try (Backend b = TestBackends.openOrSkip(backend);
                         RnbBalancer balancer = withHierarchy(RnbBalancer.builder(b, K, H, V).sketch(sketch).seed(7)
                                 .evalProportions(evalP), hier).reducer(group.get(me)).build()) {
                        for (int r = 0; r < ROUNDS; r++) {
                            for (int bi = 0; bi < BATCHES_PER_ROUND; bi++) {
                                GlobalBatch g = rounds.get(r).get(bi);
                                int[] cut = cuts.get(r).get(bi);
                                accumulateShard(balancer, g, cut[me], cut[me + 1]);
                            }
                            out.add(balancer.endRound());
                        }
                    }
                    return out;
                }));
            }
            List<List<RoundResult>> perReplica = new ArrayList<>();
            for (Future<List<RoundResult>> f : futures) perReplica.add(f.get());
            for (int r = 0; r < ROUNDS; r++) {
                RoundResult want = single.get(r);
                for (int rank = 0; rank < replicas; rank++) {
                    RoundResult got = perReplica.get(rank).get(r);
                    String what = "round " + r + ", replica " + rank + " of " + replicas + " (" + rng + ")";
                    assertEquals(want.status(), got.status(), what);
                    assertArrayEquals(want.counts(), got.counts(), what + ": counts are exact sums");
                    Compare.close(got.proportions(), want.proportions(), 1e-5, what);
                    assertArrayEquals(perReplica.get(0).get(r).proportions(), got.proportions(),
                            what + ": every replica computes the same bits");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** No hierarchy (null), two levels (groups {0, 1}, {2, 3, 4}) or three ({0, 1}, {2, 3} in one group, {4} in another). */
    private static RnbBalancer.Builder withHierarchy(RnbBalancer.Builder b, String hier) {
        if (hier == null) return b;
        b = hier.startsWith("two") ? b.hierarchy(new int[] {0, 0, 1, 1, 1}) : b.hierarchy(new int[][] {{0, 0, 1, 1, 2}, {0, 0, 1}});
        return hier.endsWith("+carry") ? b.carryAbsent(0.5f) : b;
    }

    /** Without the all-reduce a replica balances on its shard alone, and its p' is not the global one. */
    @Test
    void aReplicaWithoutTheReductionSeesOnlyItsShard() {
        Rng rng = new Rng();
        int rows = 120;
        float[] h = rng.gaussian(rows * H), e = rng.gaussian(rows * V);
        int[] dom = rng.ints(rows, K);
        GlobalBatch g = new GlobalBatch(h, e, dom, rows);
        try (Backend b = TestBackends.openOrSkip("reference");
             RnbBalancer whole = RnbBalancer.builder(b, K, H, V).build();
             RnbBalancer shard = RnbBalancer.builder(b, K, H, V).build()) {
            whole.accumulate(h, e, dom, rows);
            accumulateShard(shard, g, 0, rows / 2);
            float[] global = whole.endRound().proportions(), local = shard.endRound().proportions();
            assertTrue(Compare.relativeError(local, global) > 1e-3, "shard " + Arrays.toString(local) + " vs "
                    + Arrays.toString(global) + " (" + rng + ")");
        }
    }

    /**
     * From 2^16 domains on a hierarchy's p' is grouped: it reaches every replica in that form (in one process
     * replica 0's object itself, no k floats), equal to one process's with the whole batches.
     */
    @Test
    void groupedProportionsReachEveryReplicaInTheirForm() throws Exception {
        int k = dev.rnb.data.MixtureSampler.SPARSE_MIN_DOMAINS + 77, h = 4, v = 6, replicas = 2;
        Rng rng = new Rng();
        int[] groups = new int[k];
        for (int i = 0; i < k; i++) groups[i] = (int) ((long) i * 8 / k);
        float[] evalP = new float[k];
        for (int i = 0; i < k; i++) evalP[i] = rng.nextInt(3) == 0 ? 0f : 1 + rng.nextInt(1000);
        List<GlobalBatch> batches = new ArrayList<>(); // one a round
        for (int r = 0; r < ROUNDS; r++) {
            int rows = 200 + rng.nextInt(100);
            batches.add(new GlobalBatch(rng.gaussian(rows * h), rng.gaussian(rows * v), rng.ints(rows, k), rows));
        }
        List<dev.rnb.data.DomainProportions> single = new ArrayList<>();
        try (Backend b = TestBackends.openOrSkip("cpu");
             RnbBalancer balancer = RnbBalancer.builder(b, k, h, v).sketch(16).seed(7).evalProportions(evalP).hierarchy(groups).build()) {
            for (GlobalBatch g : batches) {
                balancer.accumulate(g.h(), g.e(), g.domains(), g.rows());
                single.add(balancer.endRound().mixture());
            }
        }
        List<GradientReducer> group = InProcessReducer.group(replicas, 60);
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        try {
            List<Future<List<dev.rnb.data.DomainProportions>>> futures = new ArrayList<>();
            for (int rank = 0; rank < replicas; rank++) {
                int me = rank;
                futures.add(pool.submit(() -> {
                    List<dev.rnb.data.DomainProportions> out = new ArrayList<>();
                    try (Backend b = TestBackends.openOrSkip("cpu");
                         RnbBalancer balancer = RnbBalancer.builder(b, k, h, v).sketch(16).seed(7).evalProportions(evalP)
                                 .hierarchy(groups).reducer(group.get(me)).build()) {
                        for (GlobalBatch g : batches) {
                            int from = me * g.rows() / replicas, to = (me + 1) * g.rows() / replicas;
                            balancer.accumulate(Arrays.copyOfRange(g.h(), from * h, to * h), Arrays.copyOfRange(g.e(), from * v, to * v),
                                    Arrays.copyOfRange(g.domains(), from, to), to - from);
                            out.add(balancer.endRound().mixture());
                        }
                    }
                    return out;
                }));
            }
            List<List<dev.rnb.data.DomainProportions>> perReplica = new ArrayList<>();
            for (Future<List<dev.rnb.data.DomainProportions>> f : futures) perReplica.add(f.get());
            for (int r = 0; r < ROUNDS; r++) {
                String what = "round " + r + " (" + rng + ")";
                assertTrue(single.get(r).isGrouped(), what);
                for (int rank = 0; rank < replicas; rank++) {
                    dev.rnb.data.DomainProportions got = perReplica.get(rank).get(r);
                    assertTrue(got.isGrouped(), what + ", replica " + rank);
                    assertTrue(got == perReplica.get(0).get(r), what + ": replica 0's p' itself");
                    Compare.close(got.toArray(), single.get(r).toArray(), 1e-5, what + ", replica " + rank);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void replicasThatDisagreeOnTheShapeFailTogether() throws Exception {
        List<GradientReducer> group = InProcessReducer.group(2, 60);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int rank = 0; rank < 2; rank++) {
                int me = rank;
                futures.add(pool.submit(() -> {
                    try (Backend b = TestBackends.openOrSkip("reference");
                         RnbBalancer balancer = RnbBalancer.builder(b, K + me, H, V).reducer(group.get(me)).build()) {
                        balancer.endRound();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                ExecutionException e = assertThrows(ExecutionException.class, f::get);
                assertInstanceOf(IllegalStateException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("replica 0 has 5 domains x 192 floats, replica 1 has 6 domains x 192 floats"),
                        e.getCause().getMessage());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aReplicaThatNeverArrivesFailsTheRoundAfterTheTimeout() {
        List<GradientReducer> group = InProcessReducer.group(2, 1);
        try (Backend b = TestBackends.openOrSkip("reference");
             RnbBalancer balancer = RnbBalancer.builder(b, K, H, V).reducer(group.get(0)).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, balancer::endRound);
            assertTrue(e.getMessage().contains("did not arrive within 1 s"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> InProcessReducer.group(0, 1));
    }

    private static void accumulateShard(RnbBalancer balancer, GlobalBatch g, int from, int to) {
        int rows = to - from;
        if (rows == 0) return;
        balancer.accumulate(Arrays.copyOfRange(g.h(), from * H, to * H), Arrays.copyOfRange(g.e(), from * V, to * V),
                Arrays.copyOfRange(g.domains(), from, to), rows);
    }

    /** replicas + 1 sorted cut points from 0 to rows. */
    private static int[] cutPoints(Rng rng, int rows, int replicas) {
        int[] cut = new int[replicas + 1];
        for (int i = 1; i < replicas; i++) cut[i] = rng.nextInt(rows + 1);
        cut[replicas] = rows;
        Arrays.sort(cut, 1, replicas);
        return cut;
    }
}
