package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.Tensor;
import dev.rnb.backend.reference.ReferenceBackend;
import dev.rnb.testing.Compare;
import dev.rnb.testing.CoversKernels;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The factored sketch S = R_v E^T H R_h^T: its inner products are unbiased
 * estimates of the exact ones, with a mean squared error within the derived
 * bound (2/rv + 2/rh + 4/(rv rh)) ||X||^2 ||Y||^2 (docs/ARCHITECTURE.md, "The
 * sketches"); every round draws fresh projections; cpu and cuda-emulated
 * agree with the reference.
 */
@CoversKernels({"rnb_sign_projection"})
class FactoredSketchTest {
    private static final TestBackends BACKENDS = new TestBackends();

    @AfterAll
    static void closeAll() {
        BACKENDS.close();
    }

    /** Two domains of {@code rows} rows each, the second correlated with the first so <X, Y> is far from 0. */
    private static float[][] correlatedBatch(Rng rng, int rows, int h, int v) {
        float[] hs = rng.gaussian(2 * rows * h), es = rng.gaussian(2 * rows * v);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < h; j++) hs[(rows + r) * h + j] = 0.6f * hs[r * h + j] + 0.4f * hs[(rows + r) * h + j];
            for (int i = 0; i < v; i++) es[(rows + r) * v + i] = 0.6f * es[r * v + i] + 0.4f * es[(rows + r) * v + i];
        }
        return new float[][] {hs, es};
    }

    @Test
    void innerProductsAreUnbiasedWithinTheDerivedVariance() {
        Rng rng = new Rng();
        int h = 24, v = 40, rows = 30, rounds = 400;
        float[][] batch = correlatedBatch(rng, rows, h, v);
        int[] dom = new int[2 * rows];
        for (int r = rows; r < 2 * rows; r++) dom[r] = 1;
        try (Backend b = Backends.open("cpu");
             Tensor th = b.allocate(batch[0].length); Tensor te = b.allocate(batch[1].length)) {
            b.upload(batch[0], 0, th, 0, batch[0].length);
            b.upload(batch[1], 0, te, 0, batch[1].length);
            double[] exact;
            try (DomainGradients g = new DomainGradients(b, 2, h, v, SketchSpec.EXACT, 0)) {
                exact = innerProducts(g, th, te, dom);
            }
            double normProduct = Math.sqrt(exact[0] * exact[2]);
            assertTrue(Math.abs(exact[1]) > 0.3 * normProduct, "the two domains should be correlated " + rng);
            for (int[] r : new int[][] {{4, 4}, {16, 8}, {8, 32}}) {
                int rv = r[0], rh = r[1];
                double bound = 2.0 / rv + 2.0 / rh + 4.0 / (rv * rh); // normalised by ||X||^2 ||Y||^2
                double sumErr = 0, sumSq = 0, sumFourth = 0;
                // One DomainGradients over many rounds: each round must draw its own projections.
                try (DomainGradients g = new DomainGradients(b, 2, h, v, SketchSpec.factored(rv, rh), rng.seed)) {
                    for (int t = 0; t < rounds; t++) {
                        double err = (innerProducts(g, th, te, dom)[1] - exact[1]) / normProduct;
                        g.reset();
                        sumErr += err;
                        sumSq += err * err;
                        sumFourth += err * err * err * err;
                    }
                }
                double mean = sumErr / rounds, mse = sumSq / rounds;
                double variance = mse - mean * mean;
                assertTrue(variance > 0, rv + "x" + rh + ": every round gave the same estimate " + rng);
                // The mean of `rounds` independent estimates: its standard error from their own variance.
                assertTrue(Math.abs(mean) <= 4 * Math.sqrt(variance / rounds),
                        rv + "x" + rh + ": mean error " + mean + " is more than 4 standard errors ("
                                + Math.sqrt(variance / rounds) + ") from 0: biased " + rng);
                double standardError = Math.sqrt(Math.max(0, sumFourth / rounds - mse * mse) / rounds);
                assertTrue(mse <= bound + 4 * standardError, rv + "x" + rh + ": normalised MSE " + mse
                        + " exceeds the bound " + bound + " + 4 standard errors (" + standardError + ") " + rng);
            }
        }
    }

    /** {<X,X>, <X,Y>, <Y,Y>} of the two domains' (sketched) gradients after one batch. */
    private static double[] innerProducts(DomainGradients g, Tensor th, Tensor te, int[] dom) {
        g.accumulate(th, te, dom.length, dom);
        float[] x = g.toHost();
        int d = (int) g.dimension();
        double xx = 0, xy = 0, yy = 0;
        for (int c = 0; c < d; c++) {
            xx += (double) x[c] * x[c];
            xy += (double) x[c] * x[d + c];
            yy += (double) x[d + c] * x[d + c];
        }
        return new double[] {xx, xy, yy};
    }

    @Test
    void eachRoundDrawsFreshProjectionsAndARoundCanBeDrawnAgain() {
        Rng rng = new Rng();
        int h = 9, v = 13, rows = 11, k = 3;
        float[] hs = rng.gaussian(rows * h), es = rng.gaussian(rows * v);
        int[] dom = rng.ints(rows, k);
        try (Backend b = Backends.open("cpu");
             Tensor th = b.allocate(hs.length); Tensor te = b.allocate(es.length);
             DomainGradients g = new DomainGradients(b, k, h, v, SketchSpec.factored(4, 3), rng.seed)) {
            b.upload(hs, 0, th, 0, hs.length);
            b.upload(es, 0, te, 0, es.length);
            g.accumulate(th, te, rows, dom);
            float[] first = g.toHost();
            g.reset();
            g.accumulate(th, te, rows, dom);
            assertFalse(Arrays.equals(first, g.toHost()), "round 1 used round 0's projections " + rng);
            g.reset();
            g.startRound(0);
            g.accumulate(th, te, rows, dom);
            assertArrayEquals(first, g.toHost(), "round 0 drawn again " + rng);
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void matchesTheReference(String name) {
        Backend b = BACKENDS.get(name);
        Rng rng = new Rng();
        try (Backend ref = new ReferenceBackend()) {
            for (int n : new int[] {1, 255, 257, 1000}) {
                int seed = rng.nextInt(Integer.MAX_VALUE);
                assertArrayEquals(projection(ref, n, seed), projection(b, n, seed), name + " sign projection n=" + n + " " + rng);
            }
            // Ragged widths, k = 4 with domain 3 absent, two batches; a projection wider than its input (rv > v).
            int[][] shapes = {{5, 7, 3, 2, 9}, {33, 70, 40, 16, 8}, {16, 3, 17, 8, 1}};
            for (int[] s : shapes) {
                int h = s[0], v = s[1], rows = s[2], rv = s[3], rh = s[4], k = 4;
                SketchSpec spec = SketchSpec.factored(rv, rh);
                float[][] batches = {rng.gaussian(rows * h), rng.gaussian(rows * v), rng.gaussian(rows * h), rng.gaussian(rows * v)};
                int[][] domains = {rng.ints(rows, k - 1), rng.ints(rows, k - 1)};
                float[] want = sketch(ref, spec, rng.seed, batches, domains, h, v, k);
                float[] got = sketch(b, spec, rng.seed, batches, domains, h, v, k);
                Compare.closeAtScale(got, want, Math.max(Compare.norm(want), 1e-6), 1e-5,
                        name + " factored " + spec + " h=" + h + " v=" + v + " rows=" + rows + " " + rng);
            }
        }
    }

    private static float[] projection(Backend b, int n, int seed) {
        try (Tensor t = b.allocate(n)) {
            b.signProjection(t, n, seed, 0.5f);
            float[] out = new float[n];
            b.download(t, 0, out, 0, n);
            return out;
        }
    }

    /** Two batches (H, E, H, E; domains 0..k-2, domain k-1 absent) into a factored sketch. */
    private static float[] sketch(Backend b, SketchSpec spec, long seed, float[][] batches, int[][] domains, int h, int v, int k) {
        try (DomainGradients g = new DomainGradients(b, k, h, v, spec, seed)) {
            for (int batch = 0; batch < 2; batch++) {
                float[] hs = batches[2 * batch], es = batches[2 * batch + 1];
                try (Tensor th = b.allocate(hs.length); Tensor te = b.allocate(es.length)) {
                    b.upload(hs, 0, th, 0, hs.length);
                    b.upload(es, 0, te, 0, es.length);
                    g.accumulate(th, te, domains[batch].length, domains[batch]);
                }
            }
            return g.toHost();
        }
    }
}
