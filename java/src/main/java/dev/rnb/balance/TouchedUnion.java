package dev.rnb.balance;

import java.util.Arrays;

/**
 * The sum of N replicas' touched slots: the union of their domains in
 * ascending order, each domain's row counts added and its blocks added
 * element by element in replica order 0, 1, ..., N-1, in double, rounded to
 * float once. A dense all-reduce of k x d buffers adds the same values in the
 * same order plus exact +0.0 for every replica that did not touch the domain;
 * the running double sum starts at +0.0 and so is never -0.0, and x + (+0.0)
 * = x for every other x (NaN and infinities included), so the result is
 * bit-identical. O(T log T + T x dimension) for T listed slots over all
 * replicas: one sort of T keys, one pass over the blocks.
 */
final class TouchedUnion {
    private TouchedUnion() {}

    /** The deposits must agree on the domain count and dimension (the caller checks it, naming the replicas). */
    static TouchedSlots sum(TouchedSlots[] deposits) {
        int n = deposits.length;
        int[] offset = new int[n + 1];   // deposit r's entries are [offset[r], offset[r + 1]) in the keys' numbering
        for (int r = 0; r < n; r++) {
            offset[r + 1] = Math.addExact(offset[r], deposits[r].size());
        }
        // Key = domain (high 32 bits) then entry number: sorted, each domain's entries come in replica order.
        long[] keys = new long[offset[n]];
        int[] replicaOf = new int[offset[n]];
        for (int r = 0; r < n; r++) {
            int[] domains = deposits[r].domains();
            for (int s = 0; s < domains.length; s++) {
                keys[offset[r] + s] = (long) domains[s] << 32 | (offset[r] + s);
                replicaOf[offset[r] + s] = r;
            }
        }
        Arrays.sort(keys);
        int unionSize = 0;
        for (int i = 0; i < keys.length; i++) {
            if (i == 0 || (keys[i] >>> 32) != (keys[i - 1] >>> 32)) {
                unionSize++;
            }
        }
        int d = Math.toIntExact(deposits[0].dimension());
        int[] domains = new int[unionSize];
        long[] counts = new long[unionSize];
        float[] blocks = new float[Math.multiplyExact(unionSize, d)];
        double[] acc = new double[d];
        int u = 0;
        for (int from = 0; from < keys.length; u++) {
            int domain = (int) (keys[from] >>> 32);
            int to = from;
            Arrays.fill(acc, 0.0);
            for (; to < keys.length && (int) (keys[to] >>> 32) == domain; to++) {
                int entry = (int) keys[to];
                TouchedSlots t = deposits[replicaOf[entry]];
                int slot = entry - offset[replicaOf[entry]];
                counts[u] += t.counts()[slot];
                float[] block = t.blocks();
                for (int j = 0, at = slot * d; j < d; j++) {
                    acc[j] += block[at + j];
                }
            }
            domains[u] = domain;
            for (int j = 0; j < d; j++) {
                blocks[u * d + j] = (float) acc[j];
            }
            from = to;
        }
        return new TouchedSlots(deposits[0].domainCount(), d, domains, counts, blocks);
    }
}
