package dev.rnb.backend.cuda;

/** A CUDA grid or block shape. */
public record Dim3(int x, int y, int z) {
    public Dim3 {
        if (x < 1 || y < 1 || z < 1) {
            throw new IllegalArgumentException("launch dimensions must be >= 1, got (" + x + ", " + y + ", " + z + ")");
        }
    }

    public static Dim3 of(int x) { return new Dim3(x, 1, 1); }

    public static Dim3 of(int x, int y) { return new Dim3(x, y, 1); }

    public static int blocks(long n, int per) { return Math.toIntExact(Math.max(1, (n + per - 1) / per)); }
}
