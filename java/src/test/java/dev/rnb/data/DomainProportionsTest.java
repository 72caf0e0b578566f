package dev.rnb.data;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sparse form against its dense expansion: values, compacting, the uniform mix, and the L1 distance the round statistics use. */
class DomainProportionsTest {

    private static double relativeError(double want, double got) {
        return Math.abs(want - got) / Math.max(Math.abs(want), 1e-30);
    }

    @Test
    void sparseFormAgainstItsDenseExpansionOnRandomShapes() {
        SplittableRandom rng = new SplittableRandom(61);
        for (int trial = 0; trial < 200; trial++) {
            int k = 1 + rng.nextInt(trial < 100 ? 50 : 5000);
            int t = switch (trial % 5) {
                case 0 -> 0;
                case 1 -> k;
                case 2 -> k - 1;
                default -> rng.nextInt(k + 1);
            };
            float rest = rng.nextInt(4) == 0 ? 0f : (float) rng.nextDouble() / k;
            DomainProportions a = SparseMixtureSamplerTest.randomSparse(k, t, rest, rng);
            float[] dense = a.toArray();
            int listed = 0;
            for (int i = 0; i < a.listedCount(); i++) {
                assertEquals(a.listedValue(i), dense[a.listedDomain(i)]);
                listed++;
            }
            assertEquals(t, listed);
            DomainProportions compact = DomainProportions.dense(dense).compact();
            assertArrayEquals(dense, compact.toArray(), "compact keeps the values");
            if (2 * t < k) assertTrue(compact.isSparse(), t + " of " + k + " listed: sparse again");
            float u = rng.nextBoolean() ? 0f : (float) rng.nextDouble();
            float[] mixedSparse = a.mixWithUniform(u).toArray(), mixedDense = DomainProportions.dense(dense).mixWithUniform(u).toArray();
            for (int i = 0; i < k; i++) assertTrue(relativeError(mixedDense[i], mixedSparse[i]) <= 1e-6, "k " + k + " t " + t + " entry " + i);

            DomainProportions b = SparseMixtureSamplerTest.randomSparse(k, rng.nextInt(k + 1), (float) rng.nextDouble() / k, rng);
            double[] sparse = a.l1DistanceAndMax(b), byDense = DomainProportions.dense(dense).l1DistanceAndMax(DomainProportions.dense(b.toArray()));
            assertTrue(relativeError(byDense[0], sparse[0]) <= 1e-6 || Math.abs(byDense[0] - sparse[0]) < 1e-9, "L1 " + byDense[0] + " vs " + sparse[0]);
            assertEquals(byDense[1], sparse[1], "largest value");
        }
    }

    @Test
    void uniformAndArgumentChecks() {
        DomainProportions u = DomainProportions.uniform(4);
        assertTrue(u.isSparse());
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, u.toArray());
        assertSame(u, u.mixWithUniform(0f));
        float[] p = {0.5f, 0.5f};
        DomainProportions d = DomainProportions.dense(p);
        p[0] = 9f; // copied on the way in
        assertArrayEquals(new float[] {0.5f, 0.5f}, d.toArray());
        assertThrows(IllegalArgumentException.class, () -> DomainProportions.sparse(3, new int[] {3}, new float[] {1f}, 0f));
        assertThrows(IllegalArgumentException.class, () -> DomainProportions.sparse(3, new int[] {1}, new float[] {1f, 2f}, 0f));
        assertThrows(IllegalArgumentException.class, () -> DomainProportions.sparse(1, new int[] {0, 0}, new float[] {1f, 2f}, 0f));
        assertThrows(IllegalArgumentException.class, () -> DomainProportions.uniform(0));
    }
}
