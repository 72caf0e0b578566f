package dev.rnb.regroup;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;

/**
 * A point set uploaded once to a backend for a whole k sweep: the n x d
 * points (unit rows when spherical), their squared norms, and a host copy of
 * exactly what the backend holds, for the k-means++ seeding and the
 * empty-cluster repair, which run on the host so that every backend starts
 * from the same centroids.
 */
public final class Points implements AutoCloseable {
    final Backend backend;
    final int n, d;
    final boolean spherical;
    final Tensor x, norms;
    final float[] host;

    public Points(Backend backend, float[] data, int n, int d, boolean spherical) {
        if (n < 1 || d < 1 || data.length != (long) n * d) {
            throw new IllegalArgumentException("points: " + data.length + " floats are not n x d = " + n + " x " + d + " with n, d >= 1");
        }
        this.backend = backend;
        this.n = n;
        this.d = d;
        this.spherical = spherical;
        this.x = backend.allocate((long) n * d);
        this.norms = backend.allocate(n);
        upload(data);
        if (spherical) {
            backend.normalizeRows(x, n, d);
        }
        backend.rowSquaredNorms(x, n, d, norms);
        this.host = new float[data.length];
        download(x, host);
    }

    public int n() { return n; }

    public int d() { return d; }

    private void upload(float[] data) {
        // Tensors take at most 2^31-1 floats per call; large sets go in slices.
        for (long off = 0; off < data.length; off += Integer.MAX_VALUE / 2) {
            int len = (int) Math.min(Integer.MAX_VALUE / 2, data.length - off);
            backend.upload(data, (int) off, x, off, len);
        }
    }

    private void download(Tensor t, float[] out) {
        for (long off = 0; off < out.length; off += Integer.MAX_VALUE / 2) {
            int len = (int) Math.min(Integer.MAX_VALUE / 2, out.length - off);
            backend.download(t, off, out, (int) off, len);
        }
    }

    @Override
    public void close() {
        x.close();
        norms.close();
    }
}
