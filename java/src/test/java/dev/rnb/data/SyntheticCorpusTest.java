package dev.rnb.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticCorpusTest {

    @Test
    void deterministicForASeedAndDifferentAcrossSeeds() {
        SyntheticCorpus.Split a = SyntheticCorpus.generate(5, 500, 100);
        SyntheticCorpus.Split b = SyntheticCorpus.generate(5, 500, 100);
        SyntheticCorpus.Split c = SyntheticCorpus.generate(6, 500, 100);
        assertEquals(a, b);
        assertNotEquals(a.train(), c.train());
        assertEquals(500, a.train().size());
        assertEquals(100, a.eval().size());
    }

    @Test
    void twentyThousandExamplesWithTheDocumentedMixtures() {
        SyntheticCorpus.Split s = SyntheticCorpus.generate(1, 20_000, 4_000);
        // Sources mix skills as SOURCE_MIX says; the eval set follows EVAL_MIX.
        int[][] count = new int[3][4];
        int[] perSource = new int[3];
        for (SyntheticCorpus.Example e : s.train()) {
            count[e.source()][e.skill()]++;
            perSource[e.source()]++;
        }
        for (int src = 0; src < 3; src++) {
            for (int k = 0; k < 4; k++) {
                assertEquals(SyntheticCorpus.SOURCE_MIX[src][k], (double) count[src][k] / perSource[src], 0.03);
            }
        }
        int[] evalSkills = new int[4];
        for (SyntheticCorpus.Example e : s.eval()) evalSkills[e.skill()]++;
        for (int k = 0; k < 4; k++) {
            assertEquals(SyntheticCorpus.EVAL_MIX[k], evalSkills[k] / 4000.0, 0.03);
        }
    }

    @Test
    void skillsAreRecognisableFromTheTextWhateverTheSource() {
        List<SyntheticCorpus.Example> train = SyntheticCorpus.generate(2, 2000, 0).train();
        for (SyntheticCorpus.Example e : train) {
            String t = e.text();
            switch (e.skill()) {
                case 0 -> assertTrue(t.matches(".*\\d+ [+-] \\d+ = .*"), t);
                case 1 -> assertTrue(t.contains("reverse "), t);
                case 2 -> assertTrue(t.contains("sort "), t);
                default -> assertTrue(t.contains("the color of item"), t);
            }
            assertTrue(t.length() < 120, t);
        }
    }

    @Test
    void rejectsNegativeSizes() {
        assertThrows(IllegalArgumentException.class, () -> SyntheticCorpus.generate(1, -1, 0));
    }
}
