package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.balance.SketchSpec;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The R&amp;B strategy's state with a hierarchy: a strategy restored mid-round from another's state, built with
 * other groups, ends its next rounds with the same proportions bit for bit, so the state carries every level's
 * groups and, with absent=carry, every domain's and group's carried score.
 */
class RnbHierarchyStateTest {
    private static final int K = 60, HIDDEN = 3, VOCAB = 4;

    @ParameterizedTest
    @ValueSource(strings = {"2/3", "3/4+carry", "5+carry"})
    void restoredStateKeepsTheGroupsAndTheCarriedScores(String spec) {
        boolean carry = spec.endsWith("+carry");
        int[] branching = Arrays.stream(spec.replace("+carry", "").split("/")).mapToInt(Integer::parseInt).toArray();
        int[] other = Arrays.stream(branching).map(g -> g + 1).toArray();
        Random rnd = new Random(spec.hashCode());
        float[] eval = new float[K];
        for (int i = 0; i < K; i++) eval[i] = rnd.nextFloat();
        try (Backend b = TestBackends.openOrSkip("cpu");
             RnbStrategy saved = strategy(b, eval, carry, shuffledGroups(branching, 1));
             RnbStrategy restored = strategy(b, eval, carry, shuffledGroups(other, 2));
             RnbStrategy control = strategy(b, eval, carry, shuffledGroups(other, 2))) {
            for (int round = 0; round < 2; round++) {
                batch(rnd, 20 + round * 7, saved);
                saved.endRound();
            }
            batch(rnd, 0, saved); // mid-round: the touched accumulators travel too
            restored.restoreState(saved.saveState());
            boolean controlDiffers = false;
            for (int round = 0; round < 3; round++) {
                // Few domains a round: most are absent, so the carried scores decide their logits.
                batch(rnd, 4 + rnd.nextInt(8), saved, restored, control);
                float[] want = saved.endRound().toArray();
                assertArrayEquals(want, restored.endRound().toArray(), "round " + round);
                controlDiffers |= !Arrays.equals(want, control.endRound().toArray());
            }
            assertTrue(controlDiffers, "without the state, other groups give other proportions");
        }
    }

    private static RnbStrategy strategy(Backend b, float[] eval, boolean carry, DomainHierarchy h) {
        return new RnbStrategy(b, K, HIDDEN, VOCAB, eval, 2f, SketchSpec.EXACT, 5, 3, 0f, carry ? 0.5f : Float.NaN, h, null, false, 0f);
    }

    /** Contiguous blocks over a shuffled order of the domains, so groups do not follow domain ids. */
    private static DomainHierarchy shuffledGroups(int[] branching, long seed) {
        int[][] parents = DomainHierarchy.build(K, branching, DomainHierarchy::blocks, seed);
        int[] perm = new int[K];
        for (int i = 0; i < K; i++) perm[i] = i;
        Random rnd = new Random(seed);
        for (int i = K - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] finest = new int[K];
        for (int i = 0; i < K; i++) finest[perm[i]] = parents[0][i];
        parents[0] = finest;
        return new DomainHierarchy(parents, "test");
    }

    /** The same random batch into each; rows from {@code present} consecutive domain ids at a random offset (all if 0). */
    private static void batch(Random rnd, int present, RnbStrategy... into) {
        int rows = 10 + rnd.nextInt(40);
        float[] h = new float[rows * HIDDEN], e = new float[rows * VOCAB];
        for (int i = 0; i < h.length; i++) h[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < e.length; i++) e[i] = (float) rnd.nextGaussian();
        int offset = rnd.nextInt(K), span = present == 0 ? K : present;
        int[] domain = new int[rows];
        for (int r = 0; r < rows; r++) domain[r] = (offset + rnd.nextInt(span)) % K;
        for (RnbStrategy s : into) s.accumulate(h, e, domain, rows);
    }
}
