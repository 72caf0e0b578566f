package dev.rnb.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MixtureSamplerTest {
    private static ByteDataset data() {
        return new ByteDataset(List.of(
                new TrainingExample("aaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.UTF_8), 0),
                new TrainingExample("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".getBytes(StandardCharsets.UTF_8), 1),
                new TrainingExample("ab".getBytes(StandardCharsets.UTF_8), 1),
                new TrainingExample("cccccccccccccccccccc".getBytes(StandardCharsets.UTF_8), 2)),
                List.of("a", "b", "c", "empty"));
    }

    @Test
    void drawsDomainsWithTheGivenProportions() {
        MixtureSampler s = new MixtureSampler(data(), 50, 8, 42);
        s.setProportions(new float[] {0.7f, 0.3f, 0f, 5f}); // "empty" has no examples: left out
        int[] counts = new int[4];
        for (int i = 0; i < 100; i++) {
            for (int d : s.next().domainOfSequence()) counts[d]++;
        }
        assertEquals(0, counts[2]);
        assertEquals(0, counts[3]);
        assertEquals(0.7, counts[0] / 5000.0, 0.03);
    }

    @Test
    void padsShortExamplesWithMaskedTargetsAndNormalisesWeights() {
        ByteDataset d = new ByteDataset(List.of(new TrainingExample("xyz".getBytes(StandardCharsets.UTF_8), 0)), List.of("x"));
        Batch b = new MixtureSampler(d, 2, 5, 1).next();
        assertEquals(4, b.validTargets());
        assertArrayEquals(new float[] {'x', 'y', 'z', 0, 0, 'x', 'y', 'z', 0, 0}, b.tokens());
        assertArrayEquals(new float[] {'y', 'z', 0, 0, 0, 'y', 'z', 0, 0, 0}, b.targets());
        assertArrayEquals(new float[] {0.25f, 0.25f, 0, 0, 0, 0.25f, 0.25f, 0, 0, 0}, b.weights());
    }

    @Test
    void sameSeedAndStateGiveTheSameBatches() {
        MixtureSampler a = new MixtureSampler(data(), 4, 6, 9), b = new MixtureSampler(data(), 4, 6, 9);
        a.next();
        b.next();
        long state = a.rngState();
        Batch fromA = a.next();
        MixtureSampler c = new MixtureSampler(data(), 4, 6, 1234);
        c.setRngState(state);
        Batch fromC = c.next();
        assertArrayEquals(fromA.tokens(), b.next().tokens());
        assertArrayEquals(fromA.tokens(), fromC.tokens());
        assertArrayEquals(fromA.domainOfRow(), fromC.domainOfRow());
        for (int i = 0; i < fromA.tokens().length; i++) {
            assertEquals(fromA.domainOfSequence()[i / 6], fromA.domainOfRow()[i]);
        }
    }

    @Test
    void rejectsProportionsWithoutMassOnAnyDomainWithExamples() {
        MixtureSampler s = new MixtureSampler(data(), 1, 4, 1);
        assertThrows(IllegalArgumentException.class, () -> s.setProportions(new float[] {0, 0, 0, 1}));
        assertThrows(IllegalArgumentException.class, () -> s.setProportions(new float[] {1, Float.NaN, 0, 0}));
        assertTrue(s.proportions()[0] > 0);
    }
}
