package dev.rnb.mix;

import dev.rnb.regroup.AtomicFiles;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@link ScaleRun}'s points as a markdown table with fitted log-log slopes, and as a log-log PNG. */
public final class ScaleReport {
    private final List<ScaleRun.Point> points;
    private final long dimension;

    public ScaleReport(List<ScaleRun.Point> points, long dimension) {
        if (points.size() < 2) throw new IllegalArgumentException("need at least two domain counts, got " + points.size());
        this.points = List.copyOf(points);
        this.dimension = dimension;
    }

    /** Log-log slope of a stage's time against k over all points (1 = linear, 0 = flat). */
    public double slope(ScaleRun.Stage stage) {
        double[] k = new double[points.size()], t = new double[points.size()];
        for (int i = 0; i < k.length; i++) {
            k[i] = points.get(i).k();
            t[i] = Math.max(points.get(i).time(stage), 1e-9);
        }
        return ScaleRun.logLogSlope(k, t);
    }

    /** One row per stage, one column per k, and the slope; then memory and checkpoint size per k. */
    public String markdown() {
        StringBuilder sb = new StringBuilder("| stage (d = " + dimension + ") |");
        for (ScaleRun.Point p : points) sb.append(" k = ").append(power(p.k())).append(" |");
        sb.append(" slope |\n|---|");
        sb.append("---:|".repeat(points.size() + 1)).append('\n');
        for (ScaleRun.Stage s : ScaleRun.Stage.values()) {
            sb.append("| ").append(s.label).append(" |");
            for (ScaleRun.Point p : points) sb.append(' ').append(number(p.time(s))).append(" |");
            sb.append(String.format(Locale.ROOT, " %.2f |%n", slope(s)));
        }
        ratio(sb, "G p + update (all present) / copy floor",
                p -> p.time(ScaleRun.Stage.GP_ALL) / p.time(ScaleRun.Stage.COPY_FLOOR));
        ratio(sb, "whole round (sketched) / copy of its minimum bytes",
                p -> p.time(ScaleRun.Stage.ROUND_SKETCHED) / p.time(ScaleRun.Stage.ROUND_FLOOR));
        ratio(sb, "whole round (sketched) back to back / copy of its minimum bytes",
                p -> p.time(ScaleRun.Stage.ROUND_BACK_TO_BACK) / p.time(ScaleRun.Stage.ROUND_FLOOR));
        String smallest = power(points.get(0).k());
        ratioToSmallest(sb, "domain draw alone, every domain present (the dense table) / at k = " + smallest, ScaleRun.Stage.DOMAIN_DRAW);
        ratioToSmallest(sb, "domain draw alone, round's p' / at k = " + smallest, ScaleRun.Stage.DOMAIN_DRAW_ROUND);
        ratioToSmallest(sb, "domain draw alone, round's p' grouped (G = ceil(sqrt k)) / at k = " + smallest, ScaleRun.Stage.DOMAIN_DRAW_GROUPED);
        ratioToSmallest(sb, "T = 1 draw, round's p', one document per domain (the store grows with k) / at k = " + smallest,
                ScaleRun.Stage.SAMPLER_DRAW_ROUND);
        ratioToSmallest(sb, "T = 1 draw, round's p', one corpus of N documents in k domains / at k = " + smallest,
                ScaleRun.Stage.CORPUS_DRAW);
        ratioToSmallest(sb, "round's K batch draws, one document per domain (the store grows with k) / at k = " + smallest,
                ScaleRun.Stage.ROUND_DRAWS);
        ratioToSmallest(sb, "round's K batch draws, one corpus of N documents in k domains / at k = " + smallest,
                ScaleRun.Stage.CORPUS_ROUND_DRAWS);
        ratioToSmallest(sb, "T = 1 draw, round's p' grouped (G = ceil(sqrt k)), one corpus of N documents in k domains / at k = " + smallest,
                ScaleRun.Stage.CORPUS_DRAW_GROUPED);
        ratioToSmallest(sb, "round's K batch draws, round's p' grouped (G = ceil(sqrt k)), one corpus of N documents in k domains / at k = "
                + smallest, ScaleRun.Stage.CORPUS_ROUND_DRAWS_GROUPED);
        // The copy above runs on two buffers just zeroed (cache-warm: 2 x 2 MiB at 10^6); the floor is
        // memory bandwidth, so the same bytes also at the streaming rate of the largest k's copy of k x d floats
        // (512 MB moved at 10^6: DRAM), the round against both.
        double rate = streamingBytesPerMs();
        row(sb, "round's minimum bytes at the largest k's copy rate (ms)", p -> number(p.roundFloorBytes() / rate));
        ratio(sb, "whole round (sketched) / its minimum bytes at that rate",
                p -> p.time(ScaleRun.Stage.ROUND_SKETCHED) * rate / p.roundFloorBytes());
        ratio(sb, "whole round (sketched) back to back / its minimum bytes at that rate",
                p -> p.time(ScaleRun.Stage.ROUND_BACK_TO_BACK) * rate / p.roundFloorBytes());
        row(sb, "whole round's minimum bytes", p -> bytes(p.roundFloorBytes()));
        // The floor until the end of the round read only a sketch row's live lines: every touched row whole.
        ratio(sb, "whole round (sketched) / copy of its minimum bytes counting whole sketch rows",
                p -> p.time(ScaleRun.Stage.ROUND_SKETCHED) / p.time(ScaleRun.Stage.ROUND_FLOOR_WHOLE_ROWS));
        ratio(sb, "whole round (sketched) back to back / the same copy",
                p -> p.time(ScaleRun.Stage.ROUND_BACK_TO_BACK) / p.time(ScaleRun.Stage.ROUND_FLOOR_WHOLE_ROWS));
        ratio(sb, "whole round (sketched) / those bytes at the largest k's copy rate",
                p -> p.time(ScaleRun.Stage.ROUND_SKETCHED) * rate / p.wholeRowsFloorBytes());
        ratio(sb, "whole round (sketched) back to back / those bytes at that rate",
                p -> p.time(ScaleRun.Stage.ROUND_BACK_TO_BACK) * rate / p.wholeRowsFloorBytes());
        row(sb, "whole round's minimum bytes counting whole sketch rows", p -> bytes(p.wholeRowsFloorBytes()));
        row(sb, "domains touched per round", p -> Integer.toString(p.touched()));
        row(sb, "sparse accumulators (device)", p -> bytes(p.sparseBytes()));
        row(sb, "dense accumulators (k x d floats)", p -> bytes(p.denseBytes()));
        row(sb, "checkpoint state (R&B strategy and the sampler's p')", p -> bytes(p.checkpointBytes()));
        return sb.toString();
    }

    /**
     * Where exact accumulators (v x h floats per domain) stop fitting in {@code memoryBytes}
     * and the sketch (r floats per domain) must take over: dense ones hold all k domains,
     * sparse ones only the domains a round touches (at most K B).
     */
    public static String crossover(long memoryBytes, int touchedPerRound, int sketch, int[][] shapes) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "| accumulators in %s | v x h | bytes per domain | dense: largest k | sparse: largest touched per round (this run: %d) |%n|---|---|---:|---:|---:|%n",
                bytes(memoryBytes), touchedPerRound));
        for (int[] vh : shapes) {
            long perDomain = 4L * vh[0] * vh[1];
            long fit = memoryBytes / perDomain;
            sb.append(String.format(Locale.ROOT, "| exact | %d x %d | %s | %,d | %,d (%s) |%n", vh[0], vh[1], bytes(perDomain),
                    fit, fit, fit >= touchedPerRound ? "fits" : "sketch needed"));
        }
        long perDomain = 4L * sketch;
        sb.append(String.format(Locale.ROOT, "| sketched, r = %d | any | %s | %,d | %,d (fits) |%n", sketch, bytes(perDomain),
                memoryBytes / perDomain, memoryBytes / perDomain));
        return sb.toString();
    }

    /**
     * A stage's time at each k over its time at the smallest k measured (the
     * same process); below 0.01 (a loaded machine can stall the smallest k's
     * few reps) in two significant digits, so that a positive ratio never
     * reads 0.00x.
     */
    private void ratioToSmallest(StringBuilder sb, String label, ScaleRun.Stage stage) {
        double first = points.get(0).time(stage);
        row(sb, label, p -> {
            double r = p.time(stage) / first;
            return String.format(Locale.ROOT, r >= 0.01 ? "%.2fx" : "%.2gx", r);
        });
    }

    /**
     * Bytes per ms of the copy of k x d floats at the largest k (it reads and writes them: 2 k d 4 bytes);
     * at 10^6 domains, d = 64, 512 MB, far past the caches: the machine's DRAM streaming rate.
     */
    double streamingBytesPerMs() {
        ScaleRun.Point last = points.stream().max(java.util.Comparator.comparingInt(ScaleRun.Point::k)).orElseThrow();
        return 2.0 * last.denseBytes() / last.time(ScaleRun.Stage.COPY_FLOOR);
    }

    /** A row of one ratio a k, printed as "2.1x". */
    private void ratio(StringBuilder sb, String label, java.util.function.ToDoubleFunction<ScaleRun.Point> ratio) {
        row(sb, label, p -> String.format(Locale.ROOT, "%.1fx", ratio.applyAsDouble(p)));
    }

    private void row(StringBuilder sb, String label, java.util.function.Function<ScaleRun.Point, String> cell) {
        sb.append("| ").append(label).append(" |");
        for (ScaleRun.Point p : points) sb.append(' ').append(cell.apply(p)).append(" |");
        sb.append(" |\n");
    }

    /** Every stage's time against k on log-log axes, the fitted slope in each legend entry. */
    public void writePng(Path file) {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        for (ScaleRun.Stage s : ScaleRun.Stage.values()) {
            XYSeries series = new XYSeries(String.format(Locale.ROOT, "%s, slope %.2f", s.label, slope(s)));
            for (ScaleRun.Point p : points) series.add(p.k(), Math.max(p.time(s), 1e-6));
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("R&B per round against domains k (d = " + dimension + ")",
                "domains k", "time (ms; draw: ns per row)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setDomainAxis(new LogAxis("domains k"));
        plot.setRangeAxis(new LogAxis("time (ms; draw: ns per row)"));
        chart.setBackgroundPaint(java.awt.Color.WHITE);
        AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, 1000, 700));
    }

    private static String power(int k) {
        int e = (int) Math.round(Math.log10(k));
        return Math.pow(10, e) == k ? "10^" + e : Integer.toString(k);
    }

    private static String number(double v) {
        if (v >= 100) return String.format(Locale.ROOT, "%.0f", v);
        if (v >= 1) return String.format(Locale.ROOT, "%.2f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String bytes(long b) {
        if (b >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
        if (b >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
        if (b >= 1L << 10) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        return b + " B";
    }
}
