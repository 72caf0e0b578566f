package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.Tensor;
import dev.rnb.balance.DomainGradients;
import dev.rnb.balance.SketchSpec;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Where R&amp;B's own work in the fused split goes at the default model's head
 * (rows = 1024 = batch 16 x context 64, h = 64, v = 256; one domain per
 * example, so rows come in runs of 64), by differences of what the public API
 * can time: the plain head GEMM; the same k' per-domain GEMMs on rows already
 * contiguous by domain (views, beta = 1: no gather, no adds); the exact
 * accumulation without the head (the rows by domain: gathered, or read in
 * place when they come in long runs, as here; the GEMMs into the
 * accumulators); the fused call (the same GEMMs into scratch, each piece
 * added to its accumulator and to the head); the segmenting of the rows by
 * domain (Java); one GEMM per example's run, in place.
 * Each is timed by the calling thread's CPU time, interleaved, median over
 * {@code reps}. Run with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.rnb.bench.FusedSplitProfile [k...] </pre>
 */
public final class FusedSplitProfile {
    static final int ROWS = 1024, H = 64, V = 256, CONTEXT = 64;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int[] ks = args.length == 0 ? new int[] {8, 64} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        int reps = 2000;
        try (Backend b = Backends.open("cpu")) {
            for (int k : ks) {
                profile(b, k, reps);
            }
        }
    }

    private static void profile(Backend b, int k, int reps) {
        SplittableRandom random = new SplittableRandom(5);
        int[] domainOfRow = new int[ROWS];
        for (int start = 0; start < ROWS; start += CONTEXT) {
            Arrays.fill(domainOfRow, start, start + CONTEXT, random.nextInt(k));
        }
        DomainSegments seg = DomainSegments.of(domainOfRow, ROWS, k);
        int[] order = seg.rowOrder(), starts = seg.segmentStarts(), domains = seg.segmentDomains();
        float[] hs = gaussian(random, ROWS * H), es = gaussian(random, ROWS * V);
        float[] hSorted = new float[hs.length], eSorted = new float[es.length];
        for (int r = 0; r < ROWS; r++) {
            System.arraycopy(hs, order[r] * H, hSorted, r * H, H);
            System.arraycopy(es, order[r] * V, eSorted, r * V, V);
        }
        try (Tensor th = put(b, hs); Tensor te = put(b, es); Tensor ths = put(b, hSorted); Tensor tes = put(b, eSorted);
             Tensor head = b.allocate((long) V * H); Tensor g = b.allocate((long) k * V * H);
             DomainGradients fused = new DomainGradients(b, k, H, V, SketchSpec.EXACT, 1)) {
            Tensor[] gBlock = new Tensor[k], hRun = new Tensor[seg.segmentCount()], eRun = new Tensor[seg.segmentCount()];
            for (int d = 0; d < k; d++) gBlock[d] = b.view(g, (long) d * V * H, (long) V * H);
            for (int s = 0; s < seg.segmentCount(); s++) {
                int n = starts[s + 1] - starts[s];
                hRun[s] = b.view(ths, (long) starts[s] * H, (long) n * H);
                eRun[s] = b.view(tes, (long) starts[s] * V, (long) n * V);
            }
            Tensor[] hExample = new Tensor[ROWS / CONTEXT], eExample = new Tensor[ROWS / CONTEXT];
            for (int r = 0; r < ROWS / CONTEXT; r++) {
                hExample[r] = b.view(th, (long) r * CONTEXT * H, (long) CONTEXT * H);
                eExample[r] = b.view(te, (long) r * CONTEXT * V, (long) CONTEXT * V);
            }
            LongSupplier[] parts = {
                    () -> time(() -> b.gemm(true, false, V, H, ROWS, 1f, te, V, th, H, 1f, head, H)),
                    () -> time(() -> {
                        for (int s = 0; s < seg.segmentCount(); s++) {
                            int n = starts[s + 1] - starts[s];
                            b.gemm(true, false, V, H, n, 1f, eRun[s], V, hRun[s], H, 1f, gBlock[domains[s]], H);
                        }
                    }),
                    () -> time(() -> b.domainGradAccumulate(th, te, H, V, seg, g)),
                    () -> time(() -> fused.accumulateWithHead(th, te, ROWS, domainOfRow, head)),
                    () -> time(() -> DomainSegments.of(domainOfRow, ROWS, k)),
                    () -> time(() -> {
                        for (int r = 0; r < ROWS / CONTEXT; r++) {
                            b.gemm(true, false, V, H, CONTEXT, 1f, eExample[r], V, hExample[r], H, 1f, gBlock[domainOfRow[r * CONTEXT]], H);
                        }
                    }),
            };
            String[] names = {"plain head GEMM (1024 rows)", "k' GEMMs on rows contiguous by domain (no gather, no adds)",
                    "exact accumulate without head (rows by domain + k' GEMMs, beta = 1)", "fused split (rows by domain + k' GEMMs + adds into G and head)",
                    "DomainSegments.of (Java)", "one GEMM per example's run of 64 rows, in place (no gather, no adds)"};
            long[][] t = new long[parts.length][reps];
            for (int i = 0; i < reps; i++) {
                for (int p = 0; p < parts.length; p++) {
                    int q = (p + i) % parts.length; // rotate the order so drift hits every part alike
                    t[q][i] = parts[q].getAsLong();
                }
                if (i % 50 == 49) fused.reset();
            }
            System.out.printf(Locale.ROOT, "k = %d (%d domains present), %d reps, thread CPU time, median:%n", k, seg.segmentCount(), reps);
            double plain = median(t[0]);
            for (int p = 0; p < parts.length; p++) {
                double m = median(t[p]);
                System.out.printf(Locale.ROOT, "PROFILE | %d | %s | %.1f us | %.2fx plain GEMM |%n", k, names[p], m / 1e3, m / plain);
            }
        }
    }

    private static long time(Runnable r) {
        long t0 = THREADS.getCurrentThreadCpuTime();
        r.run();
        return THREADS.getCurrentThreadCpuTime() - t0;
    }

    private static double median(long[] x) {
        long[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }

    private static float[] gaussian(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    private static Tensor put(Backend b, float[] x) {
        Tensor t = b.allocate(x.length);
        b.upload(x, 0, t, 0, x.length);
        return t;
    }
}
