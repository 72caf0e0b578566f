package dev.rnb.backend;

/**
 * The CountSketch hash shared bit for bit with cuda/count_sketch.cu and
 * native/count_sketch.cpp: murmur3's 32-bit finaliser after a multiplicative
 * mix of (coordinate, seed). The top bit is the sign, the low 31 bits mod r
 * the bucket, so sign and bucket are independent.
 */
public final class SketchHash {
    private SketchHash() {}

    public static int hash(int coordinate, int seed) {
        int h = coordinate * 0x9E3779B1 ^ seed;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    public static int bucket(int hash, int r) {
        return (hash & 0x7FFFFFFF) % r;
    }

    public static boolean negative(int hash) {
        return hash < 0;
    }
}
