package dev.rnb.train;

import dev.rnb.data.ByteDataset;
import dev.rnb.data.TrainingExample;
import dev.rnb.model.GptConfig;
import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalWindowsTest {
    static ByteDataset ragged(long seed) {
        Random r = new Random(seed);
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < 37; i++) {
            byte[] b = new byte[1 + r.nextInt(90)];
            r.nextBytes(b);
            ex.add(new TrainingExample(b, r.nextInt(3)));
        }
        return new ByteDataset(ex, List.of("a", "b", "c"));
    }

    @Test
    void theSampleIsTheSameForEveryRunAndIsMadeOfRealWindows() {
        ByteDataset eval = ragged(11);
        int T = 16;
        List<int[]> all = EvalWindows.all(eval, T);
        ByteDataset a = EvalWindows.sample(eval, T, 200), b = EvalWindows.sample(eval, T, 200);
        assertEquals((200 + T - 1) / T, a.size());
        assertEquals(a.size(), b.size());
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).bytes(), b.get(i).bytes(), "no run-dependent randomness");
            assertEquals(a.get(i).domain(), b.get(i).domain());
            // Each sampled example is one window of the full set: bytes [start, start + T] of an example.
            boolean found = false;
            for (int[] w : all) {
                TrainingExample ex = eval.get(w[0]);
                byte[] slice = Arrays.copyOfRange(ex.bytes(), w[1], Math.min(ex.bytes().length, w[1] + T + 1));
                if (ex.domain() == a.get(i).domain() && Arrays.equals(slice, a.get(i).bytes())) {
                    found = distinct.add(w[0] + ":" + w[1]);
                    if (found) break;
                }
            }
            assertTrue(found, "window " + i + " is a distinct window of the evaluation set");
        }
        assertSame(eval, EvalWindows.sample(eval, T, 0), "0 = the whole set");
        assertSame(eval, EvalWindows.sample(eval, T, (long) all.size() * T), "a budget covering every window = the whole set");
    }

    /** Scoring the sample equals the mean of the full evaluation's losses over exactly those windows' targets. */
    @Test
    void scoringTheSampleScoresThoseWindows() {
        ByteDataset eval = ragged(5);
        GptConfig c = new GptConfig(8, 1, 2, 8);
        try (Backend b = Backends.open("cpu"); Trainer t = new Trainer(b, c, TrainOptions.defaults(2, 4, 3), eval)) {
            t.trainStep();
            ByteDataset sample = EvalWindows.sample(eval, 8, 80);
            Evaluation whole = t.evaluate(sample);
            double sum = 0;
            long n = 0;
            for (TrainingExample ex : sample.examples()) {
                Evaluation one = t.evaluate(new ByteDataset(List.of(ex), eval.domainNames()));
                long targets = ex.bytes().length - 1;
                sum += one.loss() * targets;
                n += targets;
            }
            assertEquals(sum / n, whole.loss(), 1e-5);
        }
    }
}
