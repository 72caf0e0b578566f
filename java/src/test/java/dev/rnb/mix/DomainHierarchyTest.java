package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The groups of {@code rnb:hier=G}: clusters of the Regroup centroids, and the method spec's setting. */
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
            DomainHierarchy h = DomainHierarchy.clustered(b, new DomainCentroids(c, dims), blobs, 1);
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    assertEquals(blob[i] == blob[j], h.groupOf()[i] == h.groupOf()[j], "domains " + i + " and " + j);
                }
            }
            assertTrue(h.note().contains("k-means over the Regroup centroids"), h.note());
        }
    }

    @Test
    void withoutCentroidsTheGroupsAreContiguousBlocksAndTheNoteSaysSo() {
        try (Backend b = TestBackends.openOrSkip("cpu")) {
            MixingContext ctx = MixingStrategyTest.context(b, 4, MixingStrategyTest.options(2).with("hier", "2"));
            DomainHierarchy h = DomainHierarchy.of(ctx);
            assertEquals(java.util.List.of(0, 0, 1), java.util.Arrays.stream(h.groupOf()).boxed().toList());
            assertTrue(h.note().contains("no Regroup centroids"), h.note());
        }
    }

    @Test
    void groupCountFromTheSpec() {
        assertEquals(32, DomainHierarchy.groups(MixOptions.HIER_SQRT, 1024));
        assertEquals(64, DomainHierarchy.groups(MixOptions.HIER_SQRT, 4096));
        assertEquals(1, DomainHierarchy.groups(MixOptions.HIER_SQRT, 1));
        assertEquals(8, DomainHierarchy.groups(8, 100));
        assertEquals(5, DomainHierarchy.groups(8, 5), "at most k groups");
    }

    @Test
    void methodSpecsNameTheHierarchy() {
        MixOptions m = MixOptions.defaults(1);
        assertEquals(0, m.hier(), "the paper's flat update by default");
        assertEquals(MixOptions.HIER_SQRT, m.with("hier", "sqrt").hier());
        assertEquals(16, m.with("hier", "16").hier());
        assertThrows(IllegalArgumentException.class, () -> m.with("hier", "0"));
        assertThrows(IllegalArgumentException.class, () -> m.with("hier", "many"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Strategies.canonical("rnb:absent=carry:hier=4"));
        assertNotEquals(-1, e.getMessage().indexOf("cannot be combined"), e.getMessage());
        assertEquals("rnb:hier=sqrt:absent=grow", Strategies.canonical("rnb:hier=sqrt:absent=grow"));
    }
}
