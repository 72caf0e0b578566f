package dev.rnb.regroup;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KSweepTest {

    @Test
    void parsesRangesListsAndMixes() {
        assertEquals(List.of(4, 5, 6, 7, 8), KSweep.parse("4..8"));
        assertEquals(List.of(4, 8, 16), KSweep.parse("16, 4,8"));
        assertEquals(List.of(2, 4, 5, 6), KSweep.parse("2,4..6,5"));
        assertEquals(List.of(7), KSweep.parse("7"));
        for (String bad : new String[]{"", "0..3", "8..4", "a,b", "4..", "-2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KSweep.parse(bad), bad);
            assertTrue(e.getMessage().contains("k"), e.getMessage());
        }
    }

    @Test
    void picksTheBlobCountAndFindsTheEvalProportions() {
        Rng rng = new Rng();
        Blobs train = new Blobs(rng, 300, 8, 4, 4, 0.3);
        try (Backend b = Backends.open("cpu")) {
            // Evaluation points: copies of training points of blobs 0 and 1 only, 3:1.
            int nEval = 40;
            float[] eval = new float[nEval * 8];
            int[] evalBlob = new int[nEval];
            for (int i = 0; i < nEval; i++) {
                int src = i % 4 == 3 ? 1 : 0; // training rows 0 and 1 are blobs 0 and 1
                evalBlob[i] = src;
                System.arraycopy(train.x, src * 8, eval, i * 8, 8);
            }
            Regroup.Result r = Regroup.run(b, train.x, 300, eval, nEval, 8,
                    new Regroup.Options(KSweep.parse("2..6"), false, rng.nextInt(1000), 100, 1e-4, 3, 1000));
            assertEquals(4, r.k(), "silhouette picks the number of blobs " + rng);
            assertEquals(5, r.sweep().rows().size());
            assertTrue(ClusterAgreement.adjustedRandIndex(train.labels, r.trainAssignments()) > 0.95);
            double[] p = r.evalProportions();
            assertEquals(0.75, p[r.trainAssignments()[0]], 1e-9);
            assertEquals(0.25, p[r.trainAssignments()[1]], 1e-9);
            long total = 0;
            for (long s : r.trainSizes()) total += s;
            assertEquals(300, total);
        }
    }
}
