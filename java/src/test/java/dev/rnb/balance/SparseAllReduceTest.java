package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;
import dev.rnb.testing.Compare;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The sparse all-reduce (touched slots, their union, sums in replica order)
 * gives what the dense one of k x d buffers gave: the same sums to the bit,
 * the same counts, slots in domain order, and so the same G p to the bit on
 * the reference and cpu backends (cuda-emulated: to rounding). The dense
 * reference here sums every replica's {@link DomainGradients#toHost()} in
 * replica order in double and restores the domains with a count in domain
 * order, as the dense reducer did.
 */
class SparseAllReduceTest {
    private static final int ROUNDS = 2;

    /** What one replica saw in a round: its accumulators before the reduction, and after it. */
    private record Seen(float[] before, long[] countsBefore, float[] after, long[] countsAfter, int[] slotDomains, float[] gp) {}

    @ParameterizedTest(name = "{0}, {1}, {2} replicas, {3}")
    @CsvSource({"reference,exact,1,overlap", "reference,exact,1,empty", "reference,count:24,2,disjoint",
            "reference,factored:3x2,3,overlap", "reference,exact,4,empty", "cpu,exact,2,overlap", "cpu,count:32,4,overlap",
            "cpu,exact,3,disjoint", "cpu,count:16,2,empty", "cpu,factored:2x3,4,disjoint", "cuda-emulated,exact,3,overlap",
            "cuda-emulated,count:24,2,empty"})
    void sparseAllReduceEqualsTheDenseOne(String backend, String sketch, int replicas, String touched) throws Exception {
        Rng rng = new Rng();
        int k = 150 + rng.nextInt(200), h = 2 + rng.nextInt(4), v = 2 + rng.nextInt(5);
        SketchSpec spec = SketchSpec.parse(sketch);
        float[] p = new float[k];
        for (int i = 0; i < k; i++) p[i] = (float) rng.nextDouble();
        // Per round and replica: its ragged batches' domains (null rows: the replica touches nothing).
        List<List<List<int[]>>> domainsOfBatches = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            int[] pool = rng.distinct(20 + rng.nextInt(60), k);
            List<List<int[]>> perReplica = new ArrayList<>();
            for (int r = 0; r < replicas; r++) {
                List<int[]> batches = new ArrayList<>();
                boolean empty = touched.equals("empty") && r == replicas - 1;
                for (int b = 0, n = empty ? 0 : 1 + rng.nextInt(3); b < n; b++) {
                    int[] dom = new int[1 + rng.nextInt(60)];
                    for (int i = 0; i < dom.length; i++) {
                        dom[i] = touched.equals("disjoint") ? pool[r + replicas * rng.nextInt(pool.length / replicas)]
                                : pool[rng.nextInt(pool.length)];
                    }
                    batches.add(dom);
                }
                perReplica.add(batches);
            }
            domainsOfBatches.add(perReplica);
        }
        long seed = rng.nextInt(1000);
        List<GradientReducer> group = InProcessReducer.group(replicas, 60);
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        List<List<Seen>> seen = new ArrayList<>();
        try {
            List<Future<List<Seen>>> futures = new ArrayList<>();
            for (int rank = 0; rank < replicas; rank++) {
                int me = rank;
                long replicaSeed = seed * 31 + me;   // each replica its own rows
                futures.add(pool.submit(() -> {
                    List<Seen> out = new ArrayList<>();
                    java.util.Random rows = new java.util.Random(replicaSeed);
                    try (Backend b = TestBackends.openOrSkip(backend);
                         DomainGradients g = new DomainGradients(b, k, h, v, spec, seed)) {
                        for (int round = 0; round < ROUNDS; round++) {
                            for (int[] dom : domainsOfBatches.get(round).get(me)) accumulate(b, g, rows, dom, h, v);
                            float[] before = g.toHost();
                            long[] countsBefore = g.counts();
                            group.get(me).allReduce(g);
                            int[] slotDomains = g.touchedDomains();
                            float[] after = g.toHost();
                            long[] countsAfter = g.counts();
                            out.add(new Seen(before, countsBefore, after, countsAfter, slotDomains,
                                    g.gramTimesPThenReset(pOfSlots(p, slotDomains))));
                        }
                    }
                    return out;
                }));
            }
            for (Future<List<Seen>> f : futures) seen.add(f.get());
        } finally {
            pool.shutdownNow();
        }

        boolean deterministic = !backend.startsWith("cuda");
        try (Backend b = TestBackends.openOrSkip(backend)) {
            for (int round = 0; round < ROUNDS; round++) {
                String what = backend + " " + sketch + " " + replicas + " replicas " + touched + ", round " + round + " (" + rng + ")";
                float[] denseSum = new float[seen.get(0).get(round).before().length];
                for (int i = 0; i < denseSum.length; i++) {
                    double s = 0;
                    for (int r = 0; r < replicas; r++) s += seen.get(r).get(round).before()[i];
                    denseSum[i] = (float) s;
                }
                long[] denseCounts = new long[k];
                for (int r = 0; r < replicas; r++) {
                    for (int i = 0; i < k; i++) denseCounts[i] += seen.get(r).get(round).countsBefore()[i];
                }
                int[] union = java.util.stream.IntStream.range(0, k).filter(i -> denseCounts[i] > 0).toArray();
                float[] wantGp = denseRestoreGramTimesP(b, k, h, v, spec, seed, denseSum, denseCounts, p);
                for (int r = 0; r < replicas; r++) {
                    Seen got = seen.get(r).get(round);
                    assertArrayEquals(denseSum, got.after(), what + ", replica " + r + ": the sums, to the bit");
                    assertArrayEquals(denseCounts, got.countsAfter(), what + ", replica " + r + ": the counts");
                    assertArrayEquals(union, got.slotDomains(), what + ", replica " + r + ": the union, in domain order");
                    if (deterministic) {
                        assertArrayEquals(wantGp, got.gp(), what + ", replica " + r + ": G p as the dense path's, to the bit");
                    } else {
                        Compare.close(got.gp(), wantGp, 1e-5, what + ", replica " + r + ": G p");
                    }
                }
            }
        }
    }

    /** Signed zeros, infinities, NaN (as a NaN) and sums whose order matters come out as the dense buffers' sums, bit for bit. */
    @Test
    void specialValuesSumAsTheDenseBuffersDo() {
        Rng rng = new Rng();
        float[] values = {-0f, 0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -1e30f, 1f, 1e-8f,
                Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE};
        for (int trial = 0; trial < 200; trial++) {
            int k = 1 + rng.nextInt(12), d = 1 + rng.nextInt(4), n = 1 + rng.nextInt(4);
            TouchedSlots[] deposits = new TouchedSlots[n];
            float[][] dense = new float[n][k * d];
            for (int r = 0; r < n; r++) {
                int[] domains = rng.distinct(rng.nextInt(k + 1), k);
                long[] counts = new long[domains.length];
                float[] blocks = new float[domains.length * d];
                for (int s = 0; s < domains.length; s++) {
                    counts[s] = 1 + rng.nextInt(5);
                    for (int j = 0; j < d; j++) {
                        blocks[s * d + j] = values[rng.nextInt(values.length)];
                        dense[r][domains[s] * d + j] = blocks[s * d + j];
                    }
                }
                deposits[r] = new TouchedSlots(k, d, domains, counts, blocks);
            }
            TouchedSlots sum = TouchedUnion.sum(deposits);
            float[] got = new float[k * d];
            for (int s = 0; s < sum.size(); s++) System.arraycopy(sum.blocks(), s * d, got, sum.domains()[s] * d, d);
            for (int i = 0; i < k * d; i++) {
                double s = 0;
                for (int r = 0; r < n; r++) s += dense[r][i];
                // floatToIntBits tells -0.0 from +0.0 but makes every NaN one: Java leaves a NaN's sign and payload
                // unspecified (the JIT may swap an addition's operands), in the dense path as well.
                int want = Float.floatToIntBits((float) s), have = Float.floatToIntBits(got[i]);
                assertEquals(want, have, "element " + i + " of " + n + " replicas, trial " + trial + " (" + rng + ")");
            }
        }
    }

    @Test
    void aRestoreOutOfOrderChangesNothing() {
        try (Backend b = TestBackends.openOrSkip("reference");
             DomainGradients g = new DomainGradients(b, 10, 2, 3, 0, 1)) {
            g.restoreSlot(4, 2, new float[6]);
            TouchedSlots descending = new TouchedSlots(10, 6, new int[] {5, 3}, new long[] {1, 1}, new float[12]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.restoreTouched(descending));
            assertEquals("cannot restore domain 3 with count 1 at position 1: domains must be ascending, below 10, counts >= 1",
                    e.getMessage());
            assertArrayEquals(new int[] {4}, g.touchedDomains());
            TouchedSlots otherShape = new TouchedSlots(11, 6, new int[0], new long[0], new float[0]);
            assertThrows(IllegalArgumentException.class, () -> g.restoreTouched(otherShape));
            assertEquals(1, g.slots());
        }
    }

    /** The dense reducer's restore: a slot per domain with a count, in domain order; then G p. */
    private static float[] denseRestoreGramTimesP(Backend b, int k, int h, int v, SketchSpec spec, long seed, float[] sum,
                                                  long[] counts, float[] p) {
        try (DomainGradients g = new DomainGradients(b, k, h, v, spec, seed)) {
            int d = Math.toIntExact(g.dimension());
            for (int i = 0; i < k; i++) {
                if (counts[i] > 0) g.restoreSlot(i, counts[i], Arrays.copyOfRange(sum, i * d, i * d + d));
            }
            return g.gramTimesPThenReset(pOfSlots(p, g.touchedDomains()));
        }
    }

    private static float[] pOfSlots(float[] p, int[] slotDomains) {
        float[] out = new float[slotDomains.length];
        for (int s = 0; s < out.length; s++) out[s] = p[slotDomains[s]];
        return out;
    }

    private static void accumulate(Backend b, DomainGradients g, java.util.Random rng, int[] dom, int h, int v) {
        int rows = dom.length;
        float[] hs = new float[rows * h], es = new float[rows * v];
        for (int i = 0; i < hs.length; i++) hs[i] = (float) rng.nextGaussian();
        for (int i = 0; i < es.length; i++) es[i] = (float) rng.nextGaussian();
        try (Tensor th = b.allocate((long) rows * h); Tensor te = b.allocate((long) rows * v)) {
            b.upload(hs, 0, th, 0, hs.length);
            b.upload(es, 0, te, 0, es.length);
            g.accumulate(th, te, rows, dom);
        }
    }
}
