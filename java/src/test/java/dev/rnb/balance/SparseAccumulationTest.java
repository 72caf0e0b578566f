package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.SketchHash;
import dev.rnb.backend.Tensor;
import dev.rnb.testing.Compare;
import dev.rnb.testing.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sparse accumulators (a slot per touched domain) give what dense ones
 * give: per-domain gradients and counts, and the round's p', against a k x d
 * tensor filled by the backend's own per-domain kernel over all k domains and
 * {@code balanceRound} over all of them. Batches touch a few of hundreds to
 * thousands of domains, more than the initial 64 slots over a round (the buffer grows),
 * and two rounds check that the reset leaves nothing behind. At r = 1024 a
 * round's v x h coordinates reach a few of a sketch row's 64 lines, which the
 * end of the round alone reads and zeroes (each round its own, by its seed).
 */
class SparseAccumulationTest {

    @ParameterizedTest
    @CsvSource({"reference, 0", "cpu, 0", "cuda-emulated, 0", "cuda, 0", "reference, 24", "cpu, 24", "cuda-emulated, 24",
            "cuda, 24", "reference, 1024", "cpu, 1024", "cuda-emulated, 1024", "cuda, 1024"})
    void sparseEqualsDenseOverTwoRounds(String name, int sketch) {
        Rng rng = new Rng();
        // The emulator runs a warp per domain in the dense reference path: fewer domains there keep it quick.
        int k = (name.equals("cuda-emulated") ? 120 : 3000) + rng.nextInt(500), h = 3 + rng.nextInt(4), v = 2 + rng.nextInt(5);
        float[] evalP = new float[k];
        for (int i = 0; i < k; i++) evalP[i] = 0.5f + rng.nextInt(4);
        try (Backend b = TestBackends.openOrSkip(name);
             RnbBalancer sparse = RnbBalancer.builder(b, k, h, v).evalProportions(evalP).lambda(4f).sketch(sketch)
                     .seed(11).build()) {
            long d = sparse.domainGradients().dimension();
            float[] current = sparse.proportions();
            for (int round = 0; round < 2; round++) {
                int touchedPool = 70 + rng.nextInt(40);
                int[] pool = rng.distinct(touchedPool, k);
                try (Tensor dense = b.allocate(k * d)) {
                    for (int batch = 0; batch < 3; batch++) {
                        int rows = batch == 0 ? touchedPool : 1 + rng.nextInt(50);
                        float[] hs = rng.gaussian(rows * h), es = rng.gaussian(rows * v);
                        int[] dom = new int[rows];
                        for (int r = 0; r < rows; r++) dom[r] = batch == 0 ? pool[r] : pool[rng.nextInt(touchedPool)];
                        sparse.accumulate(hs, es, dom, rows);
                        denseAccumulate(b, hs, es, dom, rows, k, h, v, sketch, SketchHash.hash(round, 11), dense);
                    }
                    long[] counts = sparse.domainGradients().counts();
                    float[] scale = new float[k];
                    for (int i = 0; i < k; i++) scale[i] = counts[i] == 0 ? 0f : 1f / counts[i];
                    float[] want = new float[(int) (k * d)];
                    b.download(dense, 0, want, 0, want.length);
                    assertTrue(sparse.domainGradients().slots() > 64, "more domains than the initial slots");
                    float[] got = sparse.domainGradients().toHost();
                    assertTrue(Compare.relativeError(got, want) < 1e-5, rng + ": gradients " + Compare.relativeError(got, want));

                    float[] p = new float[k];
                    double sum = 0;
                    for (float x : evalP) sum += x;
                    for (int i = 0; i < k; i++) p[i] = (float) (evalP[i] / sum);
                    BalanceStep wantStep = b.balanceRound(dense, k, d, scale, p, 4f, current);
                    RoundResult r = sparse.endRound();
                    assertEquals(wantStep.status(), r.status());
                    assertArrayEquals(counts, r.counts());
                    double err = Compare.relativeError(r.proportions(), wantStep.next());
                    assertTrue(err < 1e-5, rng + ": round " + round + " p' relative error " + err);
                    current = r.proportions();
                    assertEquals(0, sparse.domainGradients().slots(), "the reset frees every slot");
                }
            }
        }
    }


    /** The dense path: the backend's kernel with segments over all k domains into a k x d tensor, with the round's sketch seed. */
    private static void denseAccumulate(Backend b, float[] hs, float[] es, int[] dom, int rows, int k, int h, int v,
                                        int sketch, int roundSeed, Tensor dense) {
        try (Tensor th = b.allocate((long) rows * h); Tensor te = b.allocate((long) rows * v)) {
            b.upload(hs, 0, th, 0, rows * h);
            b.upload(es, 0, te, 0, rows * v);
            DomainSegments segments = DomainSegments.of(dom, rows, k);
            if (sketch == 0) {
                b.domainGradAccumulate(th, te, h, v, segments, dense);
            } else {
                b.domainGradSketchAccumulate(th, te, h, v, segments, sketch, roundSeed, dense);
            }
        }
    }
}
