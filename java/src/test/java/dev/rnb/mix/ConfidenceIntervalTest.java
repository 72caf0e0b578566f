package dev.rnb.mix;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfidenceIntervalTest {
    /** Two-sided 95% quantiles t(0.975, df) from printed tables. */
    @Test
    void studentTQuantilesMatchTheTables() {
        double[][] table = {{1, 12.7062}, {2, 4.3027}, {3, 3.1824}, {4, 2.7764}, {5, 2.5706}, {9, 2.2622}, {19, 2.0930},
                {29, 2.0452}, {120, 1.9799}};
        for (double[] row : table) {
            assertEquals(row[1], StudentT.quantile(0.975, row[0]), 1e-4, "df " + row[0]);
        }
        assertEquals(1.959964, StudentT.quantile(0.975, 1e7), 1e-5, "the normal limit");
        assertEquals(-4.3027, StudentT.quantile(0.025, 2), 1e-4, "symmetry");
        assertEquals(6.3138, StudentT.quantile(0.95, 1), 1e-4);
        assertEquals(0.5, StudentT.cdf(0, 3), 1e-15);
        // df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/pi.
        for (double t : new double[] {-7, -0.3, 0.8, 2.5, 40}) {
            assertEquals(0.5 + Math.atan(t) / Math.PI, StudentT.cdf(t, 1), 1e-12);
        }
        // df = 2 has a closed form: F(t) = 1/2 + t / (2 sqrt(2 + t^2)).
        for (double t : new double[] {-3, 0.1, 1.7, 9}) {
            assertEquals(0.5 + t / (2 * Math.sqrt(2 + t * t)), StudentT.cdf(t, 2), 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> StudentT.quantile(1, 3));
    }

    @Test
    void meanAndIntervalOfASmallSample() {
        // 1..5: mean 3, sd sqrt(2.5), half-width t(0.975, 4) sd / sqrt(5) = 2.7764451 * 0.7071068 = 1.9632.
        MeanCi c = MeanCi.of(List.of(1.0, 2.0, 3.0, 4.0, 5.0));
        assertEquals(5, c.n());
        assertEquals(3, c.mean(), 1e-12);
        assertEquals(Math.sqrt(2.5), c.sd(), 1e-12);
        assertEquals(2.7764451 * Math.sqrt(2.5) / Math.sqrt(5), c.halfWidth(), 1e-6);
        assertEquals("3.000 ± 1.963", c.format("%.3f"));
        MeanCi one = MeanCi.of(List.of(0.7));
        assertTrue(Double.isNaN(one.halfWidth()));
        assertEquals("0.700", one.format("%.3f"));
        assertEquals("-", MeanCi.of(List.of()).format("%.3f"));
    }

    private static RunResult run(String method, long seed, double loss) {
        return new RunResult(method, "g", seed, loss, List.of("a"), new double[] {loss}, List.of(), List.of(), 1, 0, 0, 0, 0, 1, 0);
    }

    @Test
    void pairedDifferencesMatchBySeed() {
        // Differences by seed: -0.03, -0.01, -0.02 (seed 4 has no Stratified partner and is left out).
        List<RunResult> strat = List.of(run("stratified", 1, 1.00), run("stratified", 2, 1.10), run("stratified", 3, 0.95));
        List<RunResult> rnb = List.of(run("rnb", 3, 0.93), run("rnb", 1, 0.97), run("rnb", 2, 1.09), run("rnb", 4, 0.5));
        PairedDifference d = PairedDifference.of(rnb, strat);
        assertEquals(3, d.seeds());
        assertEquals(3, d.wins());
        assertEquals(-0.02, d.difference().mean(), 1e-12);
        // sd of (-0.03, -0.01, -0.02) = 0.01; half-width t(0.975, 2) 0.01 / sqrt(3) = 0.0248: the CI [-0.0448, +0.0048] holds 0.
        assertEquals(4.302653 * 0.01 / Math.sqrt(3), d.difference().halfWidth(), 1e-6);
        assertEquals("not distinguishable from", d.verdict());
        List<RunResult> clear = List.of(run("rnb", 1, 0.90), run("rnb", 2, 1.00), run("rnb", 3, 0.86));
        assertEquals("better than", PairedDifference.of(clear, strat).verdict());
        List<RunResult> worse = List.of(run("rnb", 1, 1.10), run("rnb", 2, 1.21), run("rnb", 3, 1.04));
        assertEquals("worse than", PairedDifference.of(worse, strat).verdict());
        assertEquals(0, PairedDifference.of(worse, strat).wins());
        PairedDifference single = PairedDifference.of(List.of(run("rnb", 1, 0.5)), strat);
        assertEquals("not distinguishable from", single.verdict(), "one seed decides nothing");
        assertTrue(single.sentence("R&B", "Stratified").contains("one seed: no interval"));
        assertTrue(PairedDifference.of(clear, strat).sentence("R&B", "Stratified")
                .endsWith("lower on 3 of 3 seeds): better than Stratified at this budget"), PairedDifference.of(clear, strat).sentence("R&B", "Stratified"));
    }
}
