package dev.rnb.gpu;

import java.util.Arrays;

/** Median wall time of an operation that ends with a device synchronisation. */
final class Stopwatch {
    private Stopwatch() {}

    /** Runs op once to warm up, then {@code reps} times; returns the median in ms. */
    static double medianMs(int reps, Runnable op, Runnable synchronize) {
        op.run();
        synchronize.run();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long start = System.nanoTime();
            op.run();
            synchronize.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return reps % 2 == 1 ? ms[reps / 2] : 0.5 * (ms[reps / 2 - 1] + ms[reps / 2]);
    }
}
