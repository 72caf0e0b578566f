package dev.rnb.mix;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The round against its minimum bytes at the largest k's copy rate: the
 * rate comes from the largest k's copy of k x d floats (read and written:
 * 2 k d 4 bytes), whatever order the points come in, and each k's round is
 * divided by its own minimum bytes at that rate.
 */
class ScaleReportFloorTest {

    private static ScaleRun.Point point(int k, double copyMs, double roundMs, double backToBackMs, long floorBytes) {
        double[] times = new double[ScaleRun.Stage.values().length];
        times[ScaleRun.Stage.COPY_FLOOR.ordinal()] = copyMs;
        times[ScaleRun.Stage.ROUND_SKETCHED.ordinal()] = roundMs;
        times[ScaleRun.Stage.ROUND_BACK_TO_BACK.ordinal()] = backToBackMs;
        times[ScaleRun.Stage.ROUND_FLOOR.ordinal()] = 0.1;
        return new ScaleRun.Point(k, times, 10, 1, k * 64L * 4, 1, floorBytes, floorBytes);
    }

    @Test
    void theLargestKsCopyGivesTheRate() {
        // k = 1000: 256,000 bytes copied in 0.004 ms (a cache rate, ignored); k = 10^6: 512 MB in 20 ms.
        ScaleReport report = new ScaleReport(List.of(point(1_000_000, 20.0, 0.6, 0.3, 4_000_000),
                point(1000, 0.004, 0.2, 0.1, 1_000_000)), 64);
        assertEquals(512_000_000.0 / 20.0, report.streamingBytesPerMs(), 1e-6);
        String table = report.markdown();
        // Columns in the points' order (10^6, then 1000). At 25.6 MB/ms: 4 MB in 0.15625 ms, 1 MB in 0.0390625 ms.
        assertTrue(table.contains("| round's minimum bytes at the largest k's copy rate (ms) | 0.156 | 0.0391 | |"), table);
        // 0.6 / 0.15625 = 3.84, 0.2 / 0.0390625 = 5.12; back to back 1.92 and 2.56.
        assertTrue(table.contains("| whole round (sketched) / its minimum bytes at that rate | 3.8x | 5.1x | |"), table);
        assertTrue(table.contains("| whole round (sketched) back to back / its minimum bytes at that rate | 1.9x | 2.6x | |"), table);
    }
}
