package dev.rnb.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@link MixtureSampler#next(Batch)}: a batch drawn into an earlier batch's
 * arrays is the batch {@link MixtureSampler#next()} draws from the same
 * state, whatever the arrays held (short examples leave rows past their end:
 * those must be written too), and a batch of another shape is not reused.
 */
class SamplerBatchReuseTest {

    @Test
    void aReusedBatchEqualsAFreshOneWhateverItsArraysHeld() {
        SplittableRandom rng = new SplittableRandom(21);
        for (int k : new int[] {1, 7, 300, MixtureSampler.SPARSE_MIN_DOMAINS + 5}) {
            // examples of 1 to 40 bytes against T up to 33: full windows, short ones and one-byte ones in one batch
            ByteDataset data = SparseMixtureSamplerTest.dataset(k, d -> k > 1 && d % 5 == 3, 40, rng);
            for (int T : new int[] {1, 9, 33}) {
                int batch = 1 + rng.nextInt(70); // past the 32 sequences drawn ahead at a time
                long seed = rng.nextLong();
                MixtureSampler fresh = new MixtureSampler(data, batch, T, seed);
                MixtureSampler reusing = new MixtureSampler(data, batch, T, seed);
                Batch reuse = garbage(batch, T, rng);
                for (int step = 0; step < 4; step++) {
                    Batch expected = fresh.next();
                    Batch got = reusing.next(reuse);
                    String where = "k " + k + ", T " + T + ", batch " + batch + ", step " + step;
                    assertSame(reuse.tokens(), got.tokens(), where);
                    assertSame(reuse.domainOfSequence(), got.domainOfSequence(), where);
                    assertArrayEquals(expected.tokens(), got.tokens(), where);
                    assertArrayEquals(expected.targets(), got.targets(), where);
                    assertArrayEquals(expected.weights(), got.weights(), where);
                    assertArrayEquals(expected.domainOfRow(), got.domainOfRow(), where);
                    assertArrayEquals(expected.domainOfSequence(), got.domainOfSequence(), where);
                    assertEquals(expected.validTargets(), got.validTargets(), where);
                    scribble(got, rng); // the next draw must not read what this one left
                    reuse = got;
                }
            }
        }
    }

    @Test
    void aBatchOfAnotherShapeIsNotReused() {
        SplittableRandom rng = new SplittableRandom(3);
        ByteDataset data = SparseMixtureSamplerTest.dataset(5, d -> false, 30, rng);
        MixtureSampler sampler = new MixtureSampler(data, 4, 8, 1);
        MixtureSampler same = new MixtureSampler(data, 4, 8, 1);
        for (Batch other : new Batch[] {garbage(4, 9, rng), garbage(5, 8, rng), garbage(2, 16, rng), null}) {
            Batch got = sampler.next(other);
            if (other != null) assertNotSame(other.tokens(), got.tokens());
            assertArrayEquals(same.next().tokens(), got.tokens());
        }
    }

    private static Batch garbage(int batch, int T, SplittableRandom rng) {
        int n = batch * T;
        Batch b = new Batch(batch, T, new float[n], new float[n], new float[n], new int[n], new int[batch], 0);
        scribble(b, rng);
        return b;
    }

    private static void scribble(Batch b, SplittableRandom rng) {
        for (float[] x : new float[][] {b.tokens(), b.targets(), b.weights()}) {
            for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian() * 300;
        }
        Arrays.setAll(b.domainOfRow(), i -> rng.nextInt());
        Arrays.setAll(b.domainOfSequence(), i -> rng.nextInt());
    }
}
