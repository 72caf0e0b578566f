package dev.rnb.regroup;

import dev.rnb.testing.Rng;

/** Gaussian blobs with known labels: centres drawn with spread `spread`, unit-variance noise scaled by `noise`. */
final class Blobs {
    final float[] x;
    final int[] labels;
    final int n, d, k;

    Blobs(Rng rng, int n, int d, int k, double spread, double noise) {
        this.n = n;
        this.d = d;
        this.k = k;
        float[] centres = rng.gaussian(k * d);
        x = new float[n * d];
        labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % k; // every blob non-empty when n >= k
            labels[i] = c;
            for (int t = 0; t < d; t++) {
                x[i * d + t] = (float) (spread * centres[c * d + t] + noise * rng.nextGaussian());
            }
        }
    }
}
