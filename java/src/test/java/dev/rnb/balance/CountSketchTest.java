package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sketch's inner products against the exact ones: unbiased, with the
 * squared error within the derived bound (||X||^2 ||Y||^2 + <X,Y>^2) / r.
 */
class CountSketchTest {

    @Test
    void innerProductErrorIsWithinTheDerivedBound() {
        Rng rng = new Rng();
        int h = 24, v = 40, rows = 30, trials = 300;
        float[] hs = rng.gaussian(2 * rows * h), es = rng.gaussian(2 * rows * v);
        int[] dom = new int[2 * rows];
        for (int r = rows; r < 2 * rows; r++) dom[r] = 1;
        // Make the two domain gradients correlated so <X, Y> is far from 0.
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < h; j++) hs[(rows + r) * h + j] = 0.6f * hs[r * h + j] + 0.4f * hs[(rows + r) * h + j];
            for (int i = 0; i < v; i++) es[(rows + r) * v + i] = 0.6f * es[r * v + i] + 0.4f * es[(rows + r) * v + i];
        }
        try (Backend b = Backends.open("cpu")) {
            double[] exact = innerProducts(b, hs, es, dom, h, v, 0, 0);
            double normProduct = Math.sqrt(exact[0] * exact[2]);
            double cosine = exact[1] / normProduct;
            for (int r : new int[] {64, 256, 1024}) {
                double bound = (1 + cosine * cosine) / r; // normalised by ||X||^2 ||Y||^2
                double sumErr = 0, sumSq = 0, sumFourth = 0;
                for (int t = 0; t < trials; t++) {
                    double[] s = innerProducts(b, hs, es, dom, h, v, r, (rng.seed * 31 + t) * 0x9E3779B97F4A7C15L);
                    double err = (s[1] - exact[1]) / normProduct;
                    sumErr += err;
                    sumSq += err * err;
                    sumFourth += err * err * err * err;
                }
                double mse = sumSq / trials, mean = sumErr / trials;
                // The MSE over finite trials is itself noisy, and heavy-tailed (rare collisions of
                // large coordinates): allow the bound plus four standard errors of the estimate.
                double standardError = Math.sqrt(Math.max(0, sumFourth / trials - mse * mse) / trials);
                assertTrue(mse <= bound + 4 * standardError, "r=" + r + ": normalised MSE " + mse + " exceeds bound " + bound
                        + " + 4 standard errors (" + standardError + ") " + rng);
                assertTrue(Math.abs(mean) <= 4 * Math.sqrt(bound / trials),
                        "r=" + r + ": mean error " + mean + " suggests bias " + rng);
            }
        }
    }

    /** {<X,X>, <X,Y>, <Y,Y>} of the two domains' (sketched when r > 0) gradients. */
    private static double[] innerProducts(Backend b, float[] hs, float[] es, int[] dom, int h, int v, int r, long seed) {
        try (DomainGradients g = new DomainGradients(b, 2, h, v, r, seed)) {
            try (var th = b.allocate(hs.length); var te = b.allocate(es.length)) {
                b.upload(hs, 0, th, 0, hs.length);
                b.upload(es, 0, te, 0, es.length);
                g.accumulate(th, te, dom.length, dom);
            }
            int d = (int) g.dimension();
            float[] x = new float[2 * d];
            b.download(g.gradients(), 0, x, 0, x.length);
            double xx = 0, xy = 0, yy = 0;
            for (int c = 0; c < d; c++) {
                xx += (double) x[c] * x[c];
                xy += (double) x[c] * x[d + c];
                yy += (double) x[d + c] * x[d + c];
            }
            return new double[] {xx, xy, yy};
        }
    }
}
