package dev.rnb.data;

/**
 * SplitMix64: a small generator whose whole state is one long, so a
 * checkpoint can save it and a resumed run draws exactly the same numbers.
 */
public final class SeededRandom {
    private long state;

    public SeededRandom(long seed) { this.state = seed; }

    public long state() { return state; }

    public void setState(long state) { this.state = state; }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }

    /** Uniform in [0, bound), bound >= 1. */
    public int nextInt(int bound) {
        if (bound < 1) throw new IllegalArgumentException("bound must be >= 1, got " + bound);
        return (int) Math.floorMod(nextLong(), (long) bound);
    }
}
