package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.testing.Compare;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rounds that touch more than 256 domains at r = 1024, so that the sketch
 * slot buffer grows to 512 rows, 2 MiB: on cpu the first size it maps on a
 * huge page ({@link dev.rnb.backend.Backend#allocateHugePaged}), kept across
 * rounds. The sketches and p' over ragged batches match the reference
 * backend's, round after round (the reset leaves the mapped rows zero).
 * (Other backends allocate huge-paged tensors as any other: HugePagedAllocationTest.)
 */
class HugePagedSlotsTest {

    @Test
    void matchesReference() {
        Rng rng = new Rng();
        int k = 2000 + rng.nextInt(3000), h = 2 + rng.nextInt(7), v = 2 + rng.nextInt(7), r = 1024;
        float[] evalP = new float[k];
        for (int i = 0; i < k; i++) evalP[i] = 0.5f + rng.nextInt(4);
        try (Backend b = TestBackends.openOrSkip("cpu"); Backend ref = TestBackends.openOrSkip("reference");
             RnbBalancer got = RnbBalancer.builder(b, k, h, v).evalProportions(evalP).lambda(4f).sketch(r).seed(5).build();
             RnbBalancer want = RnbBalancer.builder(ref, k, h, v).evalProportions(evalP).lambda(4f).sketch(r).seed(5).build()) {
            for (int round = 0; round < 3; round++) {
                int[] pool = rng.distinct(257 + rng.nextInt(200), k);
                for (int at = 0; at < pool.length; ) { // ragged batches: runs of 1 to 64 rows, each a new or an earlier domain
                    int rows = 0, n = 1 + rng.nextInt(30);
                    int[] dom = new int[64 * n];
                    for (int run = 0; run < n; run++) {
                        int d = at < pool.length && rng.nextInt(4) > 0 ? pool[at++] : pool[rng.nextInt(Math.max(1, at))];
                        for (int t = 1 + rng.nextInt(64); t > 0; t--) dom[rows++] = d;
                    }
                    float[] hs = rng.gaussian(rows * h), es = rng.gaussian(rows * v);
                    got.accumulate(hs, es, dom, rows);
                    want.accumulate(hs, es, dom, rows);
                }
                assertTrue(got.domainGradients().slots() > 256, "more than 256 slots: a 2 MiB buffer");
                float[] g = got.domainGradients().toHost(), w = want.domainGradients().toHost();
                assertTrue(Compare.relativeError(g, w) < 1e-5, rng + ": round " + round + " sketches " + Compare.relativeError(g, w));
                RoundResult gr = got.endRound(), wr = want.endRound();
                assertEquals(wr.status(), gr.status());
                assertArrayEquals(wr.counts(), gr.counts());
                double err = Compare.relativeError(gr.proportions(), wr.proportions());
                assertTrue(err < 1e-5, rng + ": round " + round + " p' relative error " + err);
            }
        }
    }
}
