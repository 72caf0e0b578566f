package dev.rnb.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The sampler's radix sort of a sparse p's listed domains gives what Arrays.sort gives, at every k and size. */
class SortByDomainTest {

    @Test
    void sortsLikeArraysSortAtEveryDomainCountAndSize() {
        SplittableRandom rng = new SplittableRandom(8);
        for (int k : new int[] {1, 2, 255, 256, 257, 65_536, 1_000_000, Integer.MAX_VALUE}) {
            for (int n : new int[] {0, 1, 2, 3, 31, 320, 5_000}) {
                if (n > k) continue;
                Set<Integer> seen = new HashSet<>();
                long[] keys = new long[n + 3]; // entries past n must stay as they are
                for (int i = 0; i < n; ) {
                    int d = rng.nextInt(k);
                    if (seen.add(d)) keys[i] = (long) d << 32 | i++;
                }
                keys[n] = -1;
                keys[n + 1] = 42;
                keys[n + 2] = Long.MAX_VALUE;
                long[] expected = keys.clone();
                Arrays.sort(expected, 0, n);
                MixtureSampler.sortByDomain(keys, n, k);
                assertArrayEquals(expected, keys, "k = " + k + ", n = " + n);
            }
        }
    }
}
