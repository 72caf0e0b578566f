package dev.rnb.bench;

import dev.rnb.data.ByteDataset;
import dev.rnb.data.MixtureSampler;
import dev.rnb.data.TrainingExample;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The sampler's cost per drawn row against k (docs/scaling/draws.md, "Where a
 * draw's time goes"): batches of 4,096 rows of T = 1 (a domain, an example,
 * an offset) from k domains of one 9-byte example each, every example its own
 * array, for a p' with every domain present and for R&amp;B's sparse p' (320
 * domains with their own values, the rest sharing one), both handed over as
 * k floats. Thread CPU nanoseconds per row, median of the reps (16 batches
 * each, after 3 warm-up reps; the first k = 10 only warms the JIT up). Uses
 * only the sampler's public API, so the same source measures an older jar.
 *
 * <p>Arguments: [reps, default 9].
 */
public final class SamplerDrawProbe {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SamplerDrawProbe() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        System.out.println("| k | p' every domain (ns/row) | p' 320 touched + shared (ns/row) |");
        System.out.println("|---:|---:|---:|");
        int[] ks = {10, 10, 100, 10_000, 100_000, 1_000_000};
        for (int ki = 0; ki < ks.length; ki++) {
            int k = ks[ki];
            List<TrainingExample> examples = new ArrayList<>(k);
            List<String> names = new ArrayList<>(k);
            byte[] bytes = "abcdefghi".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0; i < k; i++) {
                examples.add(new TrainingExample(bytes.clone(), i));
                names.add(Integer.toString(i));
            }
            MixtureSampler sampler = new MixtureSampler(new ByteDataset(examples, names), 4096, 1, 7);
            SplittableRandom random = new SplittableRandom(1);
            float[] dense = new float[k];
            for (int i = 0; i < k; i++) dense[i] = (float) random.nextDouble();
            float[] sparse = new float[k];
            Arrays.fill(sparse, 1f / k);
            for (int i = 0; i < Math.min(320, k / 2); i++) sparse[random.nextInt(k)] = (float) (2 * random.nextDouble() / k);
            double[] medians = new double[2];
            for (int which = 0; which < 2; which++) {
                sampler.setProportions(which == 0 ? dense : sparse);
                double[] t = new double[reps];
                for (int rep = -3; rep < reps; rep++) {
                    long t0 = THREADS.getCurrentThreadCpuTime();
                    for (int i = 0; i < 16; i++) sampler.next();
                    long t1 = THREADS.getCurrentThreadCpuTime();
                    if (rep >= 0) t[rep] = (t1 - t0) / (16.0 * 4096);
                }
                Arrays.sort(t);
                medians[which] = t[reps / 2];
            }
            if (ki > 0) System.out.printf(java.util.Locale.ROOT, "| %d | %.1f | %.1f |%n", k, medians[0], medians[1]);
        }
    }
}
