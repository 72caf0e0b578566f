package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;
import dev.rnb.testing.Compare;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link RnbBalancer#gramDiagonal} (what the round report reads) against what
 * the report computed before, the diagonal of the whole Gram matrix
 * ({@code Backend.gram} over the touched slots, G_ij = &lt;g_i, g_j&gt; /
 * (n_i n_j)), and against G_ii by hand in double from the same batches: random
 * batches touching some of k domains, exact and sketched, on every backend.
 */
class GramDiagonalTest {

    @ParameterizedTest
    @CsvSource({"reference, 0", "cpu, 0", "cuda-emulated, 0", "cuda, 0", "reference, 16", "cpu, 16",
            "cuda-emulated, 16", "cuda, 16"})
    void theDiagonalIsTheGramMatrixsDiagonal(String name, int sketch) {
        Rng rng = new Rng();
        int k = 2 + rng.nextInt(60), h = 1 + rng.nextInt(9), v = 1 + rng.nextInt(9);
        try (Backend b = TestBackends.openOrSkip(name);
             RnbBalancer balancer = RnbBalancer.builder(b, k, h, v).sketch(sketch).seed(5).build()) {
            assertEquals(k, balancer.gramDiagonal().length);
            for (float g : balancer.gramDiagonal()) assertEquals(0f, g, "no domain touched yet");
            double[][] sums = new double[k][h * v];
            long[] rowsOf = new long[k];
            for (int batch = 0; batch < 1 + rng.nextInt(3); batch++) {
                int rows = 1 + rng.nextInt(40);
                float[] hs = rng.gaussian(rows * h), es = rng.gaussian(rows * v);
                int[] dom = rng.ints(rows, Math.max(1, k / 2)); // about half the domains stay absent
                balancer.accumulate(hs, es, dom, rows);
                for (int r = 0; r < rows; r++) {
                    rowsOf[dom[r]]++;
                    for (int i = 0; i < v; i++)
                        for (int j = 0; j < h; j++) sums[dom[r]][i * h + j] += (double) es[r * v + i] * hs[r * h + j];
                }
            }
            float[] got = balancer.gramDiagonal();
            float[] before = previousDiagonal(b, balancer.domainGradients());
            String what = name + " sketch=" + sketch + " k=" + k + " h=" + h + " v=" + v + " " + rng;
            Compare.close(got, before, 1e-5, what + " against the Gram matrix's diagonal");
            for (int i = 0; i < k; i++) {
                if (rowsOf[i] == 0) assertEquals(0f, got[i], what + ": absent domain " + i);
            }
            if (sketch == 0) {
                float[] byHand = new float[k];
                for (int i = 0; i < k; i++) {
                    if (rowsOf[i] == 0) continue;
                    double norm2 = 0;
                    for (double x : sums[i]) norm2 += x * x;
                    byHand[i] = (float) (norm2 / ((double) rowsOf[i] * rowsOf[i]));
                }
                Compare.close(got, byHand, 1e-5, what + " against G_ii by hand");
            }
        }
    }

    /** The report's computation before gramDiagonal: the touched slots' Gram matrix, its diagonal put at each domain. */
    private static float[] previousDiagonal(Backend b, DomainGradients g) {
        int n = g.slots(), k = g.domains();
        float[] gram = new float[n * n];
        try (Tensor out = b.allocate((long) n * n)) {
            b.gram(g.gradients(), n, g.dimension(), g.inverseSlotCounts(), out);
            b.download(out, 0, gram, 0, gram.length);
        }
        float[] diagonal = new float[k];
        int[] touched = g.touchedDomains();
        for (int a = 0; a < n; a++) diagonal[touched[a]] = gram[a * n + a];
        return diagonal;
    }
}
