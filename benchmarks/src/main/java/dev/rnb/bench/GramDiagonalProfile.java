package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.Tensor;
import dev.rnb.balance.DomainGradients;
import dev.rnb.balance.RnbBalancer;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What R&amp;B's round report costs at the default model's head (h = 64,
 * v = 256, one batch of 1024 rows spread over all k domains): the whole Gram
 * matrix of the touched accumulators as the report formed it before (SSYRK,
 * download, scatter into k x k) against {@link RnbBalancer#gramDiagonal}
 * (row squared norms times 1/n_i^2), interleaved in one process, medians of
 * {@code reps}. Run with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.rnb.bench.GramDiagonalProfile k reps [backend]</pre>
 */
public final class GramDiagonalProfile {
    static final int H = 64, V = 256, ROWS = 1024;

    public static void main(String[] args) {
        int k = Integer.parseInt(args[0]), reps = Integer.parseInt(args[1]);
        try (Backend b = Backends.open(args.length > 2 ? args[2] : "cpu");
             RnbBalancer balancer = RnbBalancer.builder(b, k, H, V).build()) {
            SplittableRandom random = new SplittableRandom(1);
            float[] hs = new float[ROWS * H], es = new float[ROWS * V];
            int[] domain = new int[ROWS];
            for (int i = 0; i < hs.length; i++) hs[i] = (float) random.nextGaussian();
            for (int i = 0; i < es.length; i++) es[i] = (float) random.nextGaussian();
            for (int r = 0; r < ROWS; r++) domain[r] = (int) ((long) r * k / ROWS);
            balancer.accumulate(hs, es, domain, ROWS);
            double[] matrix = new double[reps], diagonal = new double[reps];
            for (int rep = -20; rep < reps; rep++) {
                long t0 = System.nanoTime();
                wholeGram(b, balancer.domainGradients());
                long t1 = System.nanoTime();
                balancer.gramDiagonal();
                long t2 = System.nanoTime();
                if (rep < 0) continue;
                matrix[rep] = (t1 - t0) / 1e3;
                diagonal[rep] = (t2 - t1) / 1e3;
            }
            System.out.printf(Locale.ROOT, "k=%d d=%d: whole Gram matrix %.1f us, diagonal %.1f us (medians of %d, interleaved)%n",
                    k, H * V, median(matrix), median(diagonal), reps);
        }
    }

    /** The report's computation before gramDiagonal: the touched slots' Gram matrix, scattered into k x k. */
    private static float[] wholeGram(Backend b, DomainGradients g) {
        int n = g.slots(), k = g.domains();
        float[] touchedGram = new float[n * n], full = new float[k * k];
        try (Tensor out = b.allocate((long) n * n)) {
            b.gram(g.gradients(), n, g.dimension(), g.inverseSlotCounts(), out);
            b.download(out, 0, touchedGram, 0, touchedGram.length);
        }
        int[] touched = g.touchedDomains();
        for (int x = 0; x < n; x++)
            for (int y = 0; y < n; y++) full[touched[x] * k + touched[y]] = touchedGram[x * n + y];
        return full;
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
