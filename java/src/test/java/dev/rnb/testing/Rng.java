package dev.rnb.testing;

import java.util.SplittableRandom;

/**
 * Fresh random inputs for every run; the seed is printed in assertion messages
 * and can be pinned with -Drnb.test.seed=N to replay a failure.
 */
public final class Rng {
    public final long seed;
    private final SplittableRandom random;

    public Rng() {
        String pinned = System.getProperty("rnb.test.seed");
        this.seed = pinned != null ? Long.parseLong(pinned) : System.nanoTime() ^ Thread.currentThread().getId();
        this.random = new SplittableRandom(seed);
    }

    public float[] gaussian(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    public int[] ints(int n, int bound) {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextInt(bound);
        }
        return x;
    }

    /** n distinct ints below bound (n &lt;= bound), in random order: the head of a partial shuffle. */
    public int[] distinct(int n, int bound) {
        int[] all = new int[bound];
        for (int i = 0; i < bound; i++) {
            all[i] = i;
        }
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(bound - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, n);
    }

    public int nextInt(int bound) { return random.nextInt(bound); }

    public double nextDouble() { return random.nextDouble(); }

    public double nextGaussian() { return random.nextGaussian(); }

    @Override
    public String toString() { return "seed=" + seed; }
}
