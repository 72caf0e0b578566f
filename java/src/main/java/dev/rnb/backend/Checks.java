package dev.rnb.backend;

/** Argument checks shared by the backends, so every backend fails the same way. */
public final class Checks {
    private Checks() {}

    public static void range(Tensor t, long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > t.size()) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + length) + ") outside a tensor of " + t.size() + " floats");
        }
    }

    public static void gemmShapes(boolean transA, boolean transB, int m, int n, int k,
                                  Tensor a, int lda, Tensor b, int ldb, Tensor c, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
        long aRows = transA ? k : m, aCols = transA ? m : k;
        long bRows = transB ? n : k, bCols = transB ? k : n;
        need("A", a, aRows, aCols, lda);
        need("B", b, bRows, bCols, ldb);
        need("C", c, m, n, ldc);
    }

    private static void need(String what, Tensor t, long rows, long cols, int ld) {
        if (rows == 0 || cols == 0) {
            return;
        }
        if (ld < cols) {
            throw new IllegalArgumentException("gemm: leading dimension of " + what + " is " + ld + " < " + cols + " columns");
        }
        long needed = (rows - 1) * ld + cols;
        if (t.size() < needed) {
            throw new IllegalArgumentException("gemm: " + what + " holds " + t.size() + " floats, needs " + needed);
        }
    }

    public static void domainGrad(Tensor h, Tensor e, int hDim, int vDim, DomainSegments s, Tensor g) {
        if (hDim < 1 || vDim < 1) {
            throw new IllegalArgumentException("hidden and vocab widths must be >= 1, got h=" + hDim + " v=" + vDim);
        }
        long rows = s.rows();
        if (h.size() < rows * hDim) {
            throw new IllegalArgumentException("H holds " + h.size() + " floats, needs rows*h = " + rows * hDim);
        }
        if (e.size() < rows * vDim) {
            throw new IllegalArgumentException("E holds " + e.size() + " floats, needs rows*v = " + rows * vDim);
        }
        long needed = (long) s.domains() * hDim * vDim;
        if (g.size() < needed) {
            throw new IllegalArgumentException("G holds " + g.size() + " floats, needs k*v*h = " + needed);
        }
    }

    public static void domainGradSketch(Tensor h, Tensor e, int hDim, int vDim, DomainSegments s, int r, Tensor sketch) {
        if (hDim < 1 || vDim < 1) {
            throw new IllegalArgumentException("hidden and vocab widths must be >= 1, got h=" + hDim + " v=" + vDim);
        }
        if ((long) hDim * vDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("v*h = " + (long) hDim * vDim + " exceeds 2^31-1 coordinates");
        }
        if (r < 1) {
            throw new IllegalArgumentException("sketch size must be >= 1, got " + r);
        }
        long rows = s.rows();
        if (h.size() < rows * hDim || e.size() < rows * vDim) {
            throw new IllegalArgumentException("H/E hold " + h.size() + "/" + e.size() + " floats, need " + rows * hDim + "/" + rows * vDim);
        }
        if (sketch.size() < (long) s.domains() * r) {
            throw new IllegalArgumentException("sketch holds " + sketch.size() + " floats, needs k*r = " + (long) s.domains() * r);
        }
    }

    public static void domainMatrix(Tensor x, int k, long d, float[]... perDomain) {
        if (k < 1 || d < 1) {
            throw new IllegalArgumentException("need k >= 1 and d >= 1, got k=" + k + " d=" + d);
        }
        if (x.size() < k * d) {
            throw new IllegalArgumentException("X holds " + x.size() + " floats, needs k*d = " + k * d);
        }
        for (float[] v : perDomain) {
            if (v.length != k) {
                throw new IllegalArgumentException("per-domain vector has length " + v.length + ", expected k = " + k);
            }
        }
    }

    public static void update(float[] gp, float[] scale, float[] current, float lambda) {
        if (gp.length == 0 || scale.length != gp.length || current.length != gp.length) {
            throw new IllegalArgumentException("balance update: G p, scale and current proportions must have the same length >= 1, got "
                    + gp.length + ", " + scale.length + ", " + current.length);
        }
        if (!Float.isFinite(lambda) || lambda < 0) {
            throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
        }
    }

    /** Shapes of the ClusterOps calls: n x d points, k x d centroids, n-float per-row tensors. */
    public static void cluster(Tensor x, int n, int d, int k, Tensor... perRow) {
        if (n < 1 || d < 1 || k < 1) {
            throw new IllegalArgumentException("need n >= 1 points, d >= 1 dims and k >= 1 clusters, got n=" + n + " d=" + d + " k=" + k);
        }
        if (k > (1 << 24)) {
            throw new IllegalArgumentException("k = " + k + " exceeds 2^24 clusters (ids are stored as floats)");
        }
        if (x.size() < (long) n * d) {
            throw new IllegalArgumentException("X holds " + x.size() + " floats, needs n*d = " + (long) n * d);
        }
        for (Tensor t : perRow) {
            if (t.size() < n) {
                throw new IllegalArgumentException("per-row tensor holds " + t.size() + " floats, needs n = " + n);
            }
        }
    }

    public static void counts(Tensor counts, int k) {
        if (counts.size() < k) {
            throw new IllegalArgumentException("cluster counts hold " + counts.size() + " floats, need k = " + k);
        }
    }

    public static void centroids(Tensor c, int k, int d) {
        if (c.size() < (long) k * d) {
            throw new IllegalArgumentException("centroids hold " + c.size() + " floats, need k*d = " + (long) k * d);
        }
    }

    @SuppressWarnings("unchecked")
    public static <T extends Tensor> T owned(Backend backend, Class<T> type, Tensor t) {
        if (t.backend() != backend || !type.isInstance(t)) {
            throw new IllegalArgumentException("tensor belongs to backend '" + t.backend().name() + "', not '" + backend.name() + "'");
        }
        return (T) t;
    }
}
