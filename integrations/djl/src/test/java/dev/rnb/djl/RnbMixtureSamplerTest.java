package dev.rnb.djl;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import org.junit.jupiter.api.Test;

import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RnbMixtureSamplerTest {

    /** A dataset of n examples (the sampler only looks at its size). */
    private static ArrayDataset dataset(NDManager manager, int n, RnbMixtureSampler sampler) {
        return new ArrayDataset.Builder().setData(manager.zeros(new Shape(n, 1), DataType.FLOAT32))
                .setSampling(sampler).build();
    }

    /** Random domains for n examples over k domains, leaving domain {@code empty} without examples. */
    private static int[] domains(int n, int k, int empty, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] d = new int[n];
        for (int i = 0; i < n; i++) {
            do {
                d[i] = random.nextInt(k);
            } while (d[i] == empty);
        }
        return d;
    }

    /** Row counts per domain over all batches of one epoch, checking each index's domain on the way. */
    private static long[] draw(RnbMixtureSampler sampler, ArrayDataset data, int[] domainOf, int k) {
        long[] counts = new long[k];
        Iterator<List<Long>> it = sampler.sample(data);
        while (it.hasNext()) {
            List<Long> batch = it.next();
            assertEquals(sampler.getBatchSize(), batch.size());
            for (long index : batch) {
                assertTrue(index >= 0 && index < domainOf.length);
                assertEquals(domainOf[(int) index], sampler.domainOf(index));
                counts[domainOf[(int) index]]++;
            }
        }
        return counts;
    }

    @Test
    void frequenciesFollowTheProportionsAndSkipEmptyDomains() {
        int k = 5, n = 1237, batch = 61, batches = 1000;
        int[] domainOf = domains(n, k, 3, 11);
        float[] p = {0.1f, 0.4f, 0.05f, 0.3f, 0.15f};              // domain 3 has no examples: its 0.3 is dropped
        try (NDManager manager = NDManager.newBaseManager()) {
            RnbMixtureSampler sampler = new RnbMixtureSampler(domainOf, k, batch, batches, 7);
            sampler.setProportions(p);
            long[] counts = draw(sampler, dataset(manager, n, sampler), domainOf, k);
            long rows = (long) batch * batches;
            assertEquals(0, counts[3]);
            double kept = 1 - p[3];
            for (int d = 0; d < k; d++) {
                if (d == 3) continue;
                double expected = p[d] / kept;
                double sd = Math.sqrt(expected * (1 - expected) / rows);
                double observed = (double) counts[d] / rows;
                assertTrue(Math.abs(observed - expected) < 5 * sd,
                        "domain " + d + ": observed " + observed + ", expected " + expected + " +- " + 5 * sd);
            }
        }
    }

    @Test
    void examplesAreUniformWithinTheirDomain() {
        int n = 40, batch = 50, batches = 2000;
        int[] domainOf = new int[n];
        for (int i = 30; i < n; i++) domainOf[i] = 1;             // 30 examples in domain 0, 10 in domain 1
        try (NDManager manager = NDManager.newBaseManager()) {
            RnbMixtureSampler sampler = new RnbMixtureSampler(domainOf, 2, batch, batches, 3);
            sampler.setProportions(new float[] {0f, 1f});
            long[] perExample = new long[n];
            Iterator<List<Long>> it = sampler.sample(dataset(manager, n, sampler));
            while (it.hasNext()) {
                for (long index : it.next()) perExample[(int) index]++;
            }
            long rows = (long) batch * batches;
            double expected = rows / 10.0, sd = Math.sqrt(rows * 0.1 * 0.9);
            for (int i = 0; i < n; i++) {
                if (i < 30) {
                    assertEquals(0, perExample[i], "example " + i + " of a zero-weight domain");
                } else {
                    assertTrue(Math.abs(perExample[i] - expected) < 5 * sd, "example " + i + ": " + perExample[i]);
                }
            }
        }
    }

    @Test
    void newProportionsApplyFromTheNextBatchOn() {
        int[] domainOf = {0, 1, 0, 1, 1, 0};
        try (NDManager manager = NDManager.newBaseManager()) {
            RnbMixtureSampler sampler = new RnbMixtureSampler(domainOf, 2, 9, 3, 5);
            sampler.setProportions(new float[] {1f, 0f});
            Iterator<List<Long>> it = sampler.sample(dataset(manager, domainOf.length, sampler));
            for (long i : it.next()) assertEquals(0, domainOf[(int) i]);
            sampler.setProportions(new float[] {0f, 2f});
            for (long i : it.next()) assertEquals(1, domainOf[(int) i]);
            it.next();
            assertFalse(it.hasNext());
        }
    }

    @Test
    void sameSeedSameBatchesAndEveryEpochDiffers() {
        int[] domainOf = domains(300, 3, -1, 2);
        try (NDManager manager = NDManager.newBaseManager()) {
            RnbMixtureSampler a = new RnbMixtureSampler(domainOf, 3, 17, 4, 99);
            RnbMixtureSampler b = new RnbMixtureSampler(domainOf, 3, 17, 4, 99);
            ArrayDataset data = dataset(manager, domainOf.length, a);
            List<Long> first = a.sample(data).next();
            assertEquals(first, b.sample(data).next());
            assertFalse(first.equals(a.sample(data).next()), "a second epoch repeats the first");
        }
    }

    @Test
    void badInputIsRejectedWithWhatIsWrong() {
        assertThrows(IllegalArgumentException.class, () -> new RnbMixtureSampler(new int[] {0, 2}, 2, 4, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RnbMixtureSampler(new int[] {0}, 1, 0, 1, 0));
        RnbMixtureSampler s = new RnbMixtureSampler(new int[] {0, 0, 1}, 3, 4, 1, 0);
        assertThrows(IllegalArgumentException.class, () -> s.setProportions(new float[] {1f, 0f}));
        assertThrows(IllegalArgumentException.class, () -> s.setProportions(new float[] {1f, Float.NaN, 0f}));
        assertThrows(IllegalArgumentException.class, () -> s.setProportions(new float[] {1f, -0.1f, 0f}));
        IllegalArgumentException noWeight = assertThrows(IllegalArgumentException.class,
                () -> s.setProportions(new float[] {0f, 0f, 5f}));   // domain 2 has no examples
        assertTrue(noWeight.getMessage().contains("no weight"), noWeight.getMessage());
        assertArrayEquals(new float[] {1f / 3, 1f / 3, 1f / 3}, s.proportions());
        try (NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException wrongSize = assertThrows(IllegalArgumentException.class,
                    () -> s.sample(dataset(manager, 4, s)));
            assertTrue(wrongSize.getMessage().contains("4 examples"), wrongSize.getMessage());
        }
    }
}
