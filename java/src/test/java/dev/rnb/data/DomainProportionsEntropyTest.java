package dev.rnb.data;

import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link DomainProportions#entropy} from each form's own entries against the
 * sum over its dense expansion (fresh random shapes: dense, sparse with t from
 * 0 to k listed, grouped over ragged groups), and against hand values.
 */
class DomainProportionsEntropyTest {

    /** -sum p ln p over all k values, the definition. */
    private static double byDefinition(float[] p) {
        double h = 0;
        for (float v : p) if (v > 0) h -= v * Math.log(v);
        return h;
    }

    private static void assertClose(double want, double got, String label) {
        assertEquals(want, got, 1e-9 * Math.max(1, Math.abs(want)), label);
    }

    @Test
    void eachFormAgainstItsDenseExpansion() {
        Rng seed = new Rng();
        SplittableRandom rng = new SplittableRandom(seed.seed);
        for (int trial = 0; trial < 120; trial++) {
            int k = 1 + rng.nextInt(trial < 60 ? 40 : 5000);
            int t = switch (trial % 4) {
                case 0 -> 0;
                case 1 -> k;
                default -> rng.nextInt(k + 1);
            };
            float rest = rng.nextInt(4) == 0 ? 0f : (float) rng.nextDouble() / k;
            DomainProportions sparse = SparseMixtureSamplerTest.randomSparse(k, t, rest, rng);
            String label = seed + ", trial " + trial + ", k = " + k + ", t = " + t;
            assertClose(byDefinition(sparse.toArray()), sparse.entropy(), "sparse, " + label);
            DomainProportions dense = DomainProportions.dense(sparse.toArray());
            assertClose(byDefinition(dense.toArray()), dense.entropy(), "dense, " + label);
            DomainProportions grouped = GroupedMixtureSamplerTest.randomGrouped(GroupedMixtureSamplerTest.randomGroups(k, rng), t, rng);
            assertClose(byDefinition(grouped.toArray()), grouped.entropy(), "grouped, " + label);
        }
    }

    @Test
    void handValues() {
        for (int k : new int[] {1, 2, 7, 1_000_000}) {
            // 1/k is a float: ln k to its precision.
            assertEquals(Math.log(k), DomainProportions.uniform(k).entropy(), 1e-6 * Math.max(1, Math.log(k)), "uniform over " + k);
            assertClose(0, DomainProportions.sparse(k, new int[] {k - 1}, new float[] {1f}, 0f).entropy(), "one domain of " + k);
        }
        assertEquals(Math.log(2), DomainProportions.dense(new float[] {0.5f, 0f, 0.5f}).entropy(), 1e-12, "two halves and a zero");
        // Three of 1,000 domains at 0.1 each, the other 997 sharing 0.7: 0.3 ln(1/0.1) + 0.7 ln(997 / 0.7).
        assertEquals(0.3 * Math.log(10) + 0.7 * Math.log(997 / 0.7),
                DomainProportions.sparse(1000, new int[] {5, 6, 900}, new float[] {0.1f, 0.1f, 0.1f}, 0.7f / 997).entropy(), 1e-6,
                "sparse by hand (float values)");
    }
}
