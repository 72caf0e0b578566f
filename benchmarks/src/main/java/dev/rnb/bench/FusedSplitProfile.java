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
 * example, so rows come in runs of 64), or with {@code w384} first at that
 * model's (rows = 512 = batch 8 x 64, h = 384), by differences of what the public API
 * can time: the plain head GEMM; the same k' per-domain GEMMs on rows already
 * contiguous by domain (views, beta = 1: no gather, no adds); the exact
 * accumulation without the head (the rows by domain: gathered, or read in
 * place when they come in long runs, as here; the GEMMs into the
 * accumulators); the fused call (the native split: each tile of a domain's
 * piece added to its accumulator and to the head); the same native call with
 * every row in one segment (what the split costs without the domains: a
 * plain GEMM by the same kernel plus one accumulator); the segmenting of the
 * rows by domain (Java); one GEMM per example's run, in place.
 * Each is timed by the calling thread's CPU time, interleaved, median over
 * {@code reps}. Run with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.rnb.bench.FusedSplitProfile [w384] [k...] </pre>
 */
public final class FusedSplitProfile {
    static final int V = 256, CONTEXT = 64;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        boolean w384 = args.length > 0 && args[0].equals("w384");
        String[] kArgs = w384 ? Arrays.copyOfRange(args, 1, args.length) : args;
        int[] ks = kArgs.length == 0 ? new int[] {8, 64} : Arrays.stream(kArgs).mapToInt(Integer::parseInt).toArray();
        int reps = w384 ? 600 : 2000;
        try (Backend b = Backends.open("cpu")) {
            for (int k : ks) {
                profile(b, w384 ? 512 : 1024, w384 ? 384 : 64, k, reps);
            }
        }
    }

    private static void profile(Backend b, int rows, int hDim, int k, int reps) {
        SplittableRandom random = new SplittableRandom(5);
        int[] domainOfRow = new int[rows];
        for (int start = 0; start < rows; start += CONTEXT) {
            Arrays.fill(domainOfRow, start, start + CONTEXT, random.nextInt(k));
        }
        DomainSegments seg = DomainSegments.of(domainOfRow, rows, k);
        DomainSegments oneSegment = DomainSegments.of(new int[rows], rows, 1);
        int[] order = seg.rowOrder(), starts = seg.segmentStarts(), domains = seg.segmentDomains();
        float[] hs = gaussian(random, rows * hDim), es = gaussian(random, rows * V);
        float[] hSorted = new float[hs.length], eSorted = new float[es.length];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(hs, order[r] * hDim, hSorted, r * hDim, hDim);
            System.arraycopy(es, order[r] * V, eSorted, r * V, V);
        }
        try (Tensor th = put(b, hs); Tensor te = put(b, es); Tensor ths = put(b, hSorted); Tensor tes = put(b, eSorted);
             Tensor head = b.allocate((long) V * hDim); Tensor g = b.allocate((long) k * V * hDim);
             DomainGradients fused = new DomainGradients(b, k, hDim, V, SketchSpec.EXACT, 1)) {
            Tensor[] gBlock = new Tensor[k], hRun = new Tensor[seg.segmentCount()], eRun = new Tensor[seg.segmentCount()];
            for (int d = 0; d < k; d++) gBlock[d] = b.view(g, (long) d * V * hDim, (long) V * hDim);
            for (int s = 0; s < seg.segmentCount(); s++) {
                int n = starts[s + 1] - starts[s];
                hRun[s] = b.view(ths, (long) starts[s] * hDim, (long) n * hDim);
                eRun[s] = b.view(tes, (long) starts[s] * V, (long) n * V);
            }
            Tensor[] hExample = new Tensor[rows / CONTEXT], eExample = new Tensor[rows / CONTEXT];
            for (int r = 0; r < rows / CONTEXT; r++) {
                hExample[r] = b.view(th, (long) r * CONTEXT * hDim, (long) CONTEXT * hDim);
                eExample[r] = b.view(te, (long) r * CONTEXT * V, (long) CONTEXT * V);
            }
            LongSupplier[] parts = {
                    () -> time(() -> b.gemm(true, false, V, hDim, rows, 1f, te, V, th, hDim, 1f, head, hDim)),
                    () -> time(() -> {
                        for (int s = 0; s < seg.segmentCount(); s++) {
                            int n = starts[s + 1] - starts[s];
                            b.gemm(true, false, V, hDim, n, 1f, eRun[s], V, hRun[s], hDim, 1f, gBlock[domains[s]], hDim);
                        }
                    }),
                    () -> time(() -> b.domainGradAccumulate(th, te, hDim, V, seg, g)),
                    () -> time(() -> fused.accumulateWithHead(th, te, rows, domainOfRow, head)),
                    () -> time(() -> DomainSegments.of(domainOfRow, rows, k)),
                    () -> time(() -> b.domainGradAccumulateWithHead(th, te, hDim, V, oneSegment, g, head)),
                    () -> time(() -> {
                        for (int r = 0; r < rows / CONTEXT; r++) {
                            b.gemm(true, false, V, hDim, CONTEXT, 1f, eExample[r], V, hExample[r], hDim, 1f, gBlock[domainOfRow[r * CONTEXT]], hDim);
                        }
                    }),
            };
            String[] names = {"plain head GEMM (" + rows + " rows)", "k' GEMMs on rows contiguous by domain (no gather, no adds)",
                    "exact accumulate without head (rows by domain + k' GEMMs, beta = 1)", "fused split (native: each tile into its domain and the head)",
                    "DomainSegments.of (Java)", "the native split with all rows in one segment (k = 1)",
                    "one GEMM per example's run of 64 rows, in place (no gather, no adds)"};
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

    /** n Gaussian floats (also SmallPiecesProfile's). */
    static float[] gaussian(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    /** x in a tensor of b (also SmallPiecesProfile's). */
    static Tensor put(Backend b, float[] x) {
        Tensor t = b.allocate(x.length);
        b.upload(x, 0, t, 0, x.length);
        return t;
    }
}
