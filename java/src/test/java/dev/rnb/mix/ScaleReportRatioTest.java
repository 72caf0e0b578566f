package dev.rnb.mix;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The draw rows against the smallest k: two decimals from 0.01 up, two
 * significant digits below, so that a positive ratio (the smallest k's few
 * reps stalled on a loaded machine) never reads 0.00x.
 */
class ScaleReportRatioTest {

    private static ScaleRun.Point point(int k, double corpusBatchesMs) {
        double[] times = new double[ScaleRun.Stage.values().length];
        java.util.Arrays.fill(times, 1.0);
        times[ScaleRun.Stage.CORPUS_ROUND_DRAWS.ordinal()] = corpusBatchesMs;
        return new ScaleRun.Point(k, times, 10, 1, k * 64L * 4, 1, 1000, 1000);
    }

    private static String cell(String table, String rowStart, int column) {
        String row = table.lines().filter(l -> l.startsWith("| " + rowStart)).findFirst().orElseThrow(() -> new AssertionError(table));
        return row.split("\\|")[column].trim();
    }

    @Test
    void aRatioBelowOneHundredthKeepsTwoSignificantDigits() {
        SplittableRandom random = new SplittableRandom();
        for (int trial = 0; trial < 50; trial++) {
            double first = 0.01 + 10 * random.nextDouble();
            double ratio = Math.pow(10, -6 + 7 * random.nextDouble()); // 1e-6 .. 10
            ScaleReport report = new ScaleReport(List.of(point(100, first), point(1000, first * ratio)), 64);
            String shown = cell(report.markdown(), "round's K batch draws, one corpus of N documents in k domains / at k", 3);
            assertTrue(shown.endsWith("x"), shown);
            double read = Double.parseDouble(shown.substring(0, shown.length() - 1));
            assertTrue(read > 0, shown + " for " + ratio);
            // Two decimals from 0.01 up (within half a hundredth), else two significant digits (within 5 % of it).
            double tolerance = ratio >= 0.01 ? 0.005 + 1e-12 : 0.05 * ratio;
            assertEquals(ratio, read, tolerance, shown);
            assertEquals("1.00x", cell(report.markdown(), "round's K batch draws, one corpus of N documents in k domains / at k", 2));
        }
    }

    @Test
    void aLoadedSmallestKNoLongerPrintsZero() {
        ScaleReport report = new ScaleReport(List.of(point(100, 40.0), point(1000, 0.07)), 64); // 0.00175
        assertEquals("0.0018x", cell(report.markdown(), "round's K batch draws, one corpus of N documents in k domains / at k", 3));
    }
}
