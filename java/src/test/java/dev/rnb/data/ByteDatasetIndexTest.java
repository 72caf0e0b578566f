package dev.rnb.data;

import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The flat domain index (ids sorted by domain + offsets) against per-domain lists built the obvious way. */
class ByteDatasetIndexTest {

    @Test
    void indexMatchesPerDomainLists() {
        Rng rng = new Rng();
        for (int trial = 0; trial < 20; trial++) {
            int k = 1 + rng.nextInt(trial < 15 ? 40 : 5000), n = rng.nextInt(3 * k + 1);
            List<TrainingExample> examples = new ArrayList<>();
            List<List<Integer>> want = new ArrayList<>();
            for (int d = 0; d < k; d++) want.add(new ArrayList<>());
            // Half the domains at most get examples, so many are empty; ids are in input order within a domain.
            int used = 1 + rng.nextInt(Math.max(1, k / 2));
            for (int i = 0; i < n; i++) {
                int d = rng.nextInt(used) * (k / used);
                examples.add(new TrainingExample(new byte[] {(byte) i, (byte) d}, d));
                want.get(d).add(i);
            }
            List<String> names = new ArrayList<>();
            for (int d = 0; d < k; d++) names.add("d" + d);
            ByteDataset data = new ByteDataset(examples, names);
            float[] p = data.proportions();
            for (int d = 0; d < k; d++) {
                int[] ids = want.get(d).stream().mapToInt(Integer::intValue).toArray();
                assertArrayEquals(ids, data.examplesOf(d), rng + ": domain " + d);
                assertEquals(ids.length, data.countOf(d));
                for (int j = 0; j < ids.length; j++) assertSame(examples.get(ids[j]).bytes(), data.bytesOf(d, j));
                assertEquals(n == 0 ? 0f : (float) ids.length / n, p[d]);
            }
        }
    }

    @Test
    void rejectsAnExampleOfAnUnnamedDomain() {
        List<TrainingExample> examples = List.of(new TrainingExample(new byte[] {1}, 0), new TrainingExample(new byte[] {2}, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ByteDataset(examples, List.of("a", "b")));
        assertEquals("example 1 has domain 2 but only 2 domains are named", e.getMessage());
    }
}
