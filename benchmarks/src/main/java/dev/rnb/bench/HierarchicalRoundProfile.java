package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.balance.RnbBalancer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The end of an R&amp;B round with the paper's flat update against the
 * hierarchical mixture ({@code rnb:hier=sqrt}: G = round(sqrt(k)) groups, here
 * drawn at random), at the default model's head (h = 64, v = 256, exact
 * accumulators) and the default round (K = 20 steps of 16 sequences of 64
 * rows, each sequence from a uniformly drawn domain). The same batches go into
 * both balancers; each end of round is timed by the calling thread's CPU time,
 * interleaved, median over {@code reps} rounds. Run with
 * OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.rnb.bench.HierarchicalRoundProfile REPS k...</pre>
 */
public final class HierarchicalRoundProfile {
    static final int H = 64, V = 256, CONTEXT = 64, BATCH = 16, STEPS = 20;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int reps = Integer.parseInt(args[0]);
        System.out.println("| k | G | touched per round (median) | flat end of round (ms) | hierarchical (ms) | ratio |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (int a = 1; a < args.length; a++) row(Integer.parseInt(args[a]), reps);
    }

    private static void row(int k, int reps) {
        SplittableRandom rnd = new SplittableRandom(k);
        int g = (int) Math.round(Math.sqrt(k));
        int[] groupOf = new int[k];
        for (int i = 0; i < k; i++) groupOf[i] = i < g ? i : rnd.nextInt(g);
        int rows = BATCH * CONTEXT;
        float[] h = new float[rows * H], e = new float[rows * V];
        for (int i = 0; i < h.length; i++) h[i] = (float) rnd.nextDouble(-1, 1);
        for (int i = 0; i < e.length; i++) e[i] = (float) rnd.nextDouble(-0.01, 0.01);
        long[] flatNanos = new long[reps], hierNanos = new long[reps];
        int[] touched = new int[reps];
        try (Backend b = Backends.open("cpu");
             RnbBalancer flat = RnbBalancer.builder(b, k, H, V).lambda(1f).build();
             RnbBalancer hier = RnbBalancer.builder(b, k, H, V).lambda(1f).hierarchy(groupOf).build()) {
            for (int r = 0; r < reps; r++) {
                for (int step = 0; step < STEPS; step++) {
                    int[] domain = new int[rows];
                    for (int s = 0; s < BATCH; s++) Arrays.fill(domain, s * CONTEXT, (s + 1) * CONTEXT, rnd.nextInt(k));
                    flat.accumulate(h, e, domain, rows);
                    hier.accumulate(h, e, domain, rows);
                }
                touched[r] = hier.domainGradients().slots();
                long t0 = THREADS.getCurrentThreadCpuTime();
                flat.endRound();
                long t1 = THREADS.getCurrentThreadCpuTime();
                hier.endRound();
                long t2 = THREADS.getCurrentThreadCpuTime();
                flatNanos[r] = t1 - t0;
                hierNanos[r] = t2 - t1;
            }
        }
        Arrays.sort(flatNanos);
        Arrays.sort(hierNanos);
        Arrays.sort(touched);
        double f = flatNanos[reps / 2] / 1e6, hi = hierNanos[reps / 2] / 1e6;
        System.out.printf(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f | %.2f |%n", k, g, touched[reps / 2], f, hi, hi / f);
    }
}
