package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The groups of {@code rnb:hier=G} and {@code rnb:hier=G1/G2}: clusters of the Regroup centroids, and the method spec's setting. */
class DomainHierarchyTest {

    @Test
    void groupsTheCentroidsByWhereTheyLie() {
        // 40 domains whose centroids lie around 4 far-apart points, shuffled over the domain ids.
        Random rnd = new Random(3);
        int k = 40, dims = 5, blobs = 4;
        float[] c = new float[k * dims];
        int[] blob = new int[k];
        for (int i = 0; i < k; i++) {
            blob[i] = rnd.nextInt(blobs);
            for (int j = 0; j < dims; j++) c[i * dims + j] = (j == blob[i] ? 10f : 0f) + 0.1f * (float) rnd.nextGaussian();
        }
        for (int b = 0; b < blobs; b++) blob[b] = b; // every blob present
        for (int j = 0; j < dims; j++) for (int b = 0; b < blobs; b++) c[b * dims + j] = j == b ? 10f : 0f;
        try (Backend b = TestBackends.openOrSkip("cpu")) {
            DomainCentroids centroids = new DomainCentroids(c, dims);
            int[][] parents = DomainHierarchy.build(k, new int[] {blobs},
                    (members, g, seed) -> DomainHierarchy.kMeans(b, centroids, members, g, seed), 1);
            assertEquals(1, parents.length);
            assertSameSplit(blob, parents[0]);
        }
    }

    /** Three levels: 4 far-apart blobs, each of 3 sub-blobs; hier=4/3 finds both, the sub-blobs within their blob. */
    @Test
    void threeLevelsAreClustersOfClustersOfClusters() {
        Random rnd = new Random(11);
        int k = 120, dims = 16;
        float[] c = new float[k * dims];
        int[] blob = new int[k], sub = new int[k];
        for (int i = 0; i < k; i++) {
            blob[i] = i % 4;
            sub[i] = blob[i] * 3 + (i / 4) % 3;
            for (int j = 0; j < dims; j++) c[i * dims + j] = 0.05f * (float) rnd.nextGaussian();
            c[i * dims + blob[i]] += 100f;
            c[i * dims + 4 + sub[i]] += 10f;
        }
        try (Backend b = TestBackends.openOrSkip("cpu")) {
            DomainCentroids centroids = new DomainCentroids(c, dims);
            int[][] parents = DomainHierarchy.build(k, new int[] {4, 3},
                    (members, g, seed) -> DomainHierarchy.kMeans(b, centroids, members, g, seed), 7);
            assertEquals(2, parents.length);
            assertSameSplit(sub, parents[0]);
            assertEquals(12, parents[1].length, "12 subgroups, each with its group");
            int[] top = new int[k];
            for (int i = 0; i < k; i++) top[i] = parents[1][parents[0][i]];
            assertSameSplit(blob, top);
        }
    }

    @Test
    void withoutCentroidsTheGroupsAreContiguousBlocksAndTheNoteSaysSo() {
        try (Backend b = TestBackends.openOrSkip("cpu")) {
            MixingContext ctx = MixingStrategyTest.context(b, 4, MixingStrategyTest.options(2).with("hier", "2"));
            DomainHierarchy h = DomainHierarchy.of(ctx);
            assertEquals(List.of(0, 0, 1), Arrays.stream(h.parents()[0]).boxed().toList());
            assertTrue(h.note().contains("no Regroup centroids"), h.note());
            assertTrue(h.note().contains("2 groups of 3 domains"), h.note());
        }
        // Two levels of blocks over 8 domains: 2 groups, each of 2 subgroups of 2 domains.
        int[][] parents = DomainHierarchy.build(8, new int[] {2, 2}, DomainHierarchy::blocks, 1);
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2, 3, 3}, parents[0]);
        assertArrayEquals(new int[] {0, 0, 1, 1}, parents[1]);
        // A level asking for more groups than a group has members splits it into one group per member.
        parents = DomainHierarchy.build(5, new int[] {2, 4}, DomainHierarchy::blocks, 1);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, parents[0]);
        assertArrayEquals(new int[] {0, 0, 0, 1, 1}, parents[1]);
        // A level of one group per group keeps the groups.
        parents = DomainHierarchy.build(6, new int[] {3, 1}, DomainHierarchy::blocks, 1);
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, parents[0]);
        assertArrayEquals(new int[] {0, 1, 2}, parents[1]);
    }

    @Test
    void groupCountsFromTheSpec() {
        List<Integer> sqrt = List.of(MixOptions.HIER_SQRT);
        assertArrayEquals(new int[] {32}, DomainHierarchy.branching(sqrt, 1024));
        assertArrayEquals(new int[] {64}, DomainHierarchy.branching(sqrt, 4096));
        assertArrayEquals(new int[] {1}, DomainHierarchy.branching(sqrt, 1));
        assertArrayEquals(new int[] {8}, DomainHierarchy.branching(List.of(8), 100));
        assertArrayEquals(new int[] {5}, DomainHierarchy.branching(List.of(8), 5), "at most k groups");
        assertArrayEquals(new int[] {8, 4}, DomainHierarchy.branching(List.of(8, 4), 1024));
    }

    @Test
    void methodSpecsNameTheHierarchy() {
        MixOptions m = MixOptions.defaults(1);
        assertEquals(List.of(), m.hier(), "the paper's flat update by default");
        assertEquals(List.of(MixOptions.HIER_SQRT), m.with("hier", "sqrt").hier());
        assertEquals(List.of(16), m.with("hier", "16").hier());
        assertEquals(List.of(8, 4), m.with("hier", "8/4").hier());
        assertEquals(List.of(8, 4, 2), m.with("hier", "8/4/2").hier());
        for (String bad : new String[] {"0", "many", "8/0", "8/", "sqrt/2", "2/sqrt"}) {
            assertThrows(IllegalArgumentException.class, () -> m.with("hier", bad), bad);
        }
        assertEquals("rnb:hier=sqrt:absent=grow", Strategies.canonical("rnb:hier=sqrt:absent=grow"));
        assertEquals("rnb:hier=8/4:absent=carry:ema=0.8", Strategies.canonical("rnb:hier=8/4:absent=carry:ema=0.8"));
        assertEquals("R&B (hier=8/4, absent=carry)", Strategies.label("rnb:hier=8/4:absent=carry"));
    }

    /** The same partition of the domains, whatever the labels. */
    private static void assertSameSplit(int[] expected, int[] actual) {
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected.length; j++) {
                assertEquals(expected[i] == expected[j], actual[i] == actual[j], "domains " + i + " and " + j);
            }
        }
    }
}
