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
 * drawn at random), three levels ({@code rnb:hier=8/8}: 8 random groups of 8
 * random subgroups each) and three levels with carried scores
 * ({@code rnb:hier=8/8:absent=carry}), at the default model's head (h = 64, v = 256, exact
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
        System.out.println("| k | G | touched per round (median) | flat end of round (ms) | hierarchical (ms) | ratio"
                + " | 3 levels, 8/8 (ms) | ratio | 8/8 + carry (ms) | ratio |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int a = 1; a < args.length; a++) row(Integer.parseInt(args[a]), reps);
    }

    private static void row(int k, int reps) {
        SplittableRandom rnd = new SplittableRandom(k);
        int g = (int) Math.round(Math.sqrt(k));
        int[] groupOf = new int[k];
        for (int i = 0; i < k; i++) groupOf[i] = i < g ? i : rnd.nextInt(g);
        int sub = Math.min(64, k), top = Math.min(8, sub);
        int[] subOf = new int[k], topOf = new int[sub];
        for (int i = 0; i < k; i++) subOf[i] = i < sub ? i : rnd.nextInt(sub);
        for (int a = 0; a < sub; a++) topOf[a] = a < top ? a : rnd.nextInt(top);
        int[][] tree = {subOf, topOf};
        int rows = BATCH * CONTEXT;
        float[] h = new float[rows * H], e = new float[rows * V];
        for (int i = 0; i < h.length; i++) h[i] = (float) rnd.nextDouble(-1, 1);
        for (int i = 0; i < e.length; i++) e[i] = (float) rnd.nextDouble(-0.01, 0.01);
        long[] flatNanos = new long[reps], hierNanos = new long[reps], treeNanos = new long[reps], carryNanos = new long[reps];
        int[] touched = new int[reps];
        try (Backend b = Backends.open("cpu");
             RnbBalancer flat = RnbBalancer.builder(b, k, H, V).lambda(1f).build();
             RnbBalancer hier = RnbBalancer.builder(b, k, H, V).lambda(1f).hierarchy(groupOf).build();
             RnbBalancer three = RnbBalancer.builder(b, k, H, V).lambda(1f).hierarchy(tree).build();
             RnbBalancer carried = RnbBalancer.builder(b, k, H, V).lambda(1f).hierarchy(tree).carryAbsent(0.5f).build()) {
            RnbBalancer[] all = {flat, hier, three, carried};
            for (int r = 0; r < reps; r++) {
                for (int step = 0; step < STEPS; step++) {
                    int[] domain = new int[rows];
                    for (int s = 0; s < BATCH; s++) Arrays.fill(domain, s * CONTEXT, (s + 1) * CONTEXT, rnd.nextInt(k));
                    for (RnbBalancer x : all) x.accumulate(h, e, domain, rows);
                }
                touched[r] = hier.domainGradients().slots();
                long t0 = THREADS.getCurrentThreadCpuTime();
                flat.endRound();
                long t1 = THREADS.getCurrentThreadCpuTime();
                hier.endRound();
                long t2 = THREADS.getCurrentThreadCpuTime();
                three.endRound();
                long t3 = THREADS.getCurrentThreadCpuTime();
                carried.endRound();
                long t4 = THREADS.getCurrentThreadCpuTime();
                flatNanos[r] = t1 - t0;
                hierNanos[r] = t2 - t1;
                treeNanos[r] = t3 - t2;
                carryNanos[r] = t4 - t3;
            }
        }
        Arrays.sort(flatNanos);
        Arrays.sort(hierNanos);
        Arrays.sort(treeNanos);
        Arrays.sort(carryNanos);
        Arrays.sort(touched);
        double f = flatNanos[reps / 2] / 1e6, hi = hierNanos[reps / 2] / 1e6, tr = treeNanos[reps / 2] / 1e6, ca = carryNanos[reps / 2] / 1e6;
        System.out.printf(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f | %.2f | %.1f | %.2f | %.1f | %.2f |%n",
                k, g, touched[reps / 2], f, hi, hi / f, tr, tr / f, ca, ca / f);
    }
}
