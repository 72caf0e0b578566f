package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceOps;
import dev.rnb.backend.SketchHash;
import dev.rnb.backend.Tensor;
import dev.rnb.testing.Compare;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.rnb.testing.Tensors.put;

/**
 * The live lines of a round's CountSketch rows ({@link SketchLines}) against
 * the buckets of every coordinate, and the end of a round that reads only
 * them: its G p against the reference's over the touched blocks read whole,
 * the slot buffer all zero after it (across rounds whose seeds reach other
 * lines), and after a restore (blocks that may hold anything) the whole
 * blocks read and zeroed.
 */
class SketchLinesTest {

    @Test
    void theLiveLinesAreTheBlocksTheCoordinatesHashTo() {
        Rng rng = new Rng();
        for (int trial = 0; trial < 200; trial++) {
            int r = BalanceOps.LIVE_BLOCK * (1 + rng.nextInt(trial < 100 ? 8 : 200));
            int coordinates = 1 + rng.nextInt(trial % 3 == 0 ? 3 * r : 40);
            int seed = rng.nextInt(Integer.MAX_VALUE);
            TreeSet<Integer> hit = new TreeSet<>();
            for (int i = 0; i < coordinates; i++) hit.add(SketchHash.bucket(SketchHash.hash(i, seed), r) / BalanceOps.LIVE_BLOCK);
            int[] live = SketchLines.live(coordinates, r, seed);
            String at = "r=" + r + " coordinates=" + coordinates + " " + rng;
            if (hit.size() == r / BalanceOps.LIVE_BLOCK) {
                assertNull(live, at + ": every line live");
            } else {
                assertArrayEquals(hit.stream().mapToInt(Integer::intValue).toArray(), live, at);
            }
        }
        assertNull(SketchLines.live(10, 24, 1), "r not whole lines: rows read whole");
        assertNull(SketchLines.live(38_597_376L, 1024, 5), "a model head's coordinates reach every line");
    }

    @Test
    void liveFloatsCountWholeLines() {
        try (Backend ref = TestBackends.openOrSkip("reference");
             DomainGradients exact = new DomainGradients(ref, 10, 8, 8, 0, 1);
             DomainGradients few = new DomainGradients(ref, 10, 2, 2, 1024, 1);
             DomainGradients many = new DomainGradients(ref, 10, 64, 64, 1024, 1)) {
            assertEquals(64, exact.liveFloats());
            assertTrue(few.liveFloats() >= BalanceOps.LIVE_BLOCK && few.liveFloats() <= 4 * BalanceOps.LIVE_BLOCK, "" + few.liveFloats());
            assertEquals(1024, many.liveFloats());
        }
    }

    /** Rounds of ragged batches; r = 1024 with v x h of 1 to 48 coordinates: a few live lines a row. */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void theEndOfARoundReadsTheLiveLinesAndLeavesEveryBlockZero(String name) {
        Rng rng = new Rng();
        int k = 50 + rng.nextInt(300), h = 1 + rng.nextInt(6), v = 1 + rng.nextInt(8), r = 1024;
        try (Backend b = TestBackends.openOrSkip(name); Backend ref = TestBackends.openOrSkip("reference");
             DomainGradients g = new DomainGradients(b, k, h, v, r, rng.nextInt(1000))) {
            for (int round = 0; round < 4; round++) {
                String at = name + " round " + round + " k=" + k + " h=" + h + " v=" + v + " " + rng;
                for (int batch = 0; batch < 3; batch++) {
                    int rows = 1 + rng.nextInt(90);
                    int[] dom = rng.ints(rows, k);
                    try (Tensor th = put(b, rng.gaussian(rows * h)); Tensor te = put(b, rng.gaussian(rows * v))) {
                        g.accumulate(th, te, rows, dom);
                    }
                }
                if (round == 3) { // a restore: blocks with values in every line, read whole
                    TouchedSlots t = g.touched();
                    TouchedSlots noisy = new TouchedSlots(k, r, sorted(t.domains()), t.counts().clone(), rng.gaussian(t.blocks().length));
                    g.restoreTouched(noisy);
                }
                assertEndOfRound(b, ref, g, rng, at);
            }
        }
    }

    private static void assertEndOfRound(Backend b, Backend ref, DomainGradients g, Rng rng, String at) {
        int used = g.slots();
        long r = g.dimension();
        float[] blocks = g.touched().blocks();
        float[] scale = g.inverseSlotCounts(), p = new float[used];
        for (int s = 0; s < used; s++) p[s] = (float) rng.nextDouble();
        float[] want;
        try (Tensor x = put(ref, blocks)) { want = ref.gramTimesP(x, used, r, scale, p); }
        float[] got = g.gramTimesPThenReset(p);
        Compare.close(got, want, 1e-4, at + ": G p");
        float[] left = new float[Math.toIntExact(g.gradients().size())];
        b.download(g.gradients(), 0, left, 0, left.length);
        for (int i = 0; i < left.length; i++) assertEquals(0f, left[i], at + ": float " + i + " of the slot buffer zero");
    }

    private static int[] sorted(int[] domains) {
        int[] out = domains.clone();
        Arrays.sort(out);
        return out;
    }
}
