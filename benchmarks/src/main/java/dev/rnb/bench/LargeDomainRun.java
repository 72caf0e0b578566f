package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.Tensor;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.MixtureSampler;
import dev.rnb.data.TrainingExample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * R&amp;B's per-round work at large domain counts (issue #17), on the cpu
 * backend, for k = 10^2 .. 10^maxExp domains of d floats each (a sketch width):
 * G p plus the softmax update against a copy of the same k x d floats (the
 * memory-bandwidth floor: G p reads them twice, the copy reads and writes them
 * once), the update alone, the sampler's table rebuild, and its cost per drawn
 * row. The timed calls are interleaved rep by rep so that a loaded machine
 * slows them alike; it prints medians, the median of the per-rep ratios, and
 * the log-log slope of each stage's time against k.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.rnb.bench.LargeDomainRun [d=64] [reps=9] [maxExp=6]</pre>
 */
public final class LargeDomainRun {
    private LargeDomainRun() {}

    private static final int SAMPLER_BATCH = 4096;

    public static void main(String[] args) {
        int d = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int maxExp = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        System.out.printf(Locale.ROOT, "d = %d floats per domain, %d reps, medians; load average %s%n", d, reps, loadAverage());
        System.out.printf(Locale.ROOT, "%8s %12s %12s %12s %9s %12s %12s%n",
                "k", "round ms", "update ms", "copy ms", "round/copy", "rebuild ms", "draw ns/row");
        int points = maxExp - 1;
        double[] logK = new double[points], logRound = new double[points], logUpdate = new double[points], logRebuild = new double[points];
        try (Backend b = Backends.open("cpu")) {
            for (int e = 2; e <= maxExp; e++) {
                int k = (int) Math.round(Math.pow(10, e));
                double[] m = measure(b, k, d, reps);
                System.out.printf(Locale.ROOT, "%8d %12.4f %12.4f %12.4f %9.2f %12.4f %12.1f%n", k, m[0], m[1], m[2], m[3], m[4], m[5]);
                logK[e - 2] = Math.log10(k);
                logRound[e - 2] = Math.log10(m[0]);
                logUpdate[e - 2] = Math.log10(m[1]);
                logRebuild[e - 2] = Math.log10(m[4]);
            }
        }
        System.out.printf(Locale.ROOT, "log-log slope vs k (1 = linear, 2 = quadratic): round %.2f, update %.2f, rebuild %.2f; "
                        + "over the upper three k: round %.2f, update %.2f, rebuild %.2f%n",
                slope(logK, logRound, 0), slope(logK, logUpdate, 0), slope(logK, logRebuild, 0),
                slope(logK, logRound, points - 3), slope(logK, logUpdate, points - 3), slope(logK, logRebuild, points - 3));
        compareDraws(10, (int) Math.round(Math.pow(10, maxExp)), 4 * reps + 1);
    }

    /** The sampler's cost per drawn row at few and many domains, batches alternating between the two. */
    private static void compareDraws(int few, int many, int reps) {
        MixtureSampler small = new MixtureSampler(oneExamplePerDomain(few), SAMPLER_BATCH, 1, 1);
        MixtureSampler large = new MixtureSampler(oneExamplePerDomain(many), SAMPLER_BATCH, 1, 2);
        double[] tSmall = new double[reps], tLarge = new double[reps], ratio = new double[reps];
        for (int r = -3; r < reps; r++) {
            long t0 = System.nanoTime();
            small.next();
            long t1 = System.nanoTime();
            large.next();
            long t2 = System.nanoTime();
            if (r < 0) continue;
            tSmall[r] = (double) (t1 - t0) / SAMPLER_BATCH;
            tLarge[r] = (double) (t2 - t1) / SAMPLER_BATCH;
            ratio[r] = (double) (t2 - t1) / (t1 - t0);
        }
        System.out.printf(Locale.ROOT, "sampler, %d batches of %d rows alternating: %.1f ns/row at k = %d, %.1f ns/row at k = %d, "
                        + "median ratio %.2f; load average %s%n",
                reps, SAMPLER_BATCH, median(tSmall), few, median(tLarge), many, median(ratio), loadAverage());
    }

    /** Medians: round ms, update ms, copy ms, round/copy, rebuild ms, draw ns per row. */
    private static double[] measure(Backend b, int k, int d, int reps) {
        SplittableRandom random = new SplittableRandom(k);
        float[] scale = new float[k], p = new float[k], current = new float[k];
        for (int i = 0; i < k; i++) {
            scale[i] = 1f / (1 + random.nextInt(100));
            p[i] = 1f / k;
            current[i] = 1f / k;
        }
        MixtureSampler sampler = new MixtureSampler(oneExamplePerDomain(k), SAMPLER_BATCH, 1, 7);
        double[][] t = new double[6][reps];
        try (Tensor x = b.allocate((long) k * d); Tensor copy = b.allocate((long) k * d)) {
            float[] row = new float[d];
            for (int i = 0; i < k; i++) {
                for (int c = 0; c < d; c++) row[c] = (float) random.nextGaussian();
                b.upload(row, 0, x, (long) i * d, d);
            }
            float[] gp = b.gramTimesP(x, k, d, scale, p);
            for (int r = -2; r < reps; r++) { // two warm-up reps
                long t0 = System.nanoTime();
                BalanceStep step = b.balanceRound(x, k, d, scale, p, 3f, current);
                long t1 = System.nanoTime();
                b.balanceUpdate(gp, scale, current, 3f);
                long t2 = System.nanoTime();
                b.copy(x, 0, copy, 0, (long) k * d);
                long t3 = System.nanoTime();
                sampler.setProportions(step.next());
                long t4 = System.nanoTime();
                sampler.next();
                long t5 = System.nanoTime();
                if (r < 0) continue;
                t[0][r] = (t1 - t0) / 1e6;
                t[1][r] = (t2 - t1) / 1e6;
                t[2][r] = (t3 - t2) / 1e6;
                t[3][r] = (double) (t1 - t0) / (t3 - t2);
                t[4][r] = (t4 - t3) / 1e6;
                t[5][r] = (double) (t5 - t4) / SAMPLER_BATCH;
            }
        }
        double[] medians = new double[6];
        for (int i = 0; i < 6; i++) medians[i] = median(t[i]);
        return medians;
    }

    /** k domains of one 9-byte example each (a row of T = 1 draws a domain, an example and an offset). */
    private static ByteDataset oneExamplePerDomain(int k) {
        List<TrainingExample> examples = new ArrayList<>(k);
        List<String> names = new ArrayList<>(k);
        byte[] bytes = "abcdefghi".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < k; i++) {
            examples.add(new TrainingExample(bytes, i));
            names.add(Integer.toString(i));
        }
        return new ByteDataset(examples, names);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Least-squares slope of y against x over the points from {@code from} on. */
    private static double slope(double[] x, double[] y, int from) {
        from = Math.max(0, from);
        int n = x.length - from;
        double mx = 0, my = 0;
        for (int i = from; i < x.length; i++) {
            mx += x[i] / n;
            my += y[i] / n;
        }
        double sxy = 0, sxx = 0;
        for (int i = from; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxy / sxx;
    }

    private static String loadAverage() {
        return String.format(Locale.ROOT, "%.1f on %d cores",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }
}
