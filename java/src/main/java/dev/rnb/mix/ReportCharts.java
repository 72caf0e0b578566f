package dev.rnb.mix;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.StackedXYBarRenderer;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.CategoryTableXYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * The experiment's charts, drawn to be read: white background, the
 * Okabe-Ito colour-blind-safe palette, a distinct dash pattern and marker per
 * series (so grey print still separates them), steps and rounds as plain
 * numbers on labelled axes.
 *
 * <ul>
 * <li>curves.png: eval loss by step per method and grouping, mean over seeds,
 * the y axis zoomed to the last three quarters of training (where the methods
 * differ; the first quarter's fall would flatten everything else);</li>
 * <li>curves-vs-stratified.png: eval loss minus Stratified's with the same seed,
 * mean and 95% CI band over seeds, one panel per grouping;</li>
 * <li>rnb-proportions.png: R&amp;B's proportions per round as stacked bars, one
 * panel per seed (up to three), the largest 7 clusters and "rest" beyond; each
 * further R&amp;B setting of a sweep in its own file (rnb-proportions-lambda-5.png).</li>
 * </ul>
 */
final class ReportCharts {
    static final Color[] PALETTE = {new Color(0x000000), new Color(0xE69F00), new Color(0x0072B2), new Color(0xD55E00),
            new Color(0x009E73), new Color(0xCC79A7), new Color(0x56B4E9), new Color(0x999999)};
    private static final float[][] DASHES = {null, {8f, 4f}, {2f, 3f}, {10f, 3f, 2f, 3f}, {14f, 5f}, {4f, 4f, 1f, 4f}};
    static final int TOP_DOMAINS = 7;

    private final ExperimentReport report;
    private final List<RunResult> results;
    private final List<String> groupings;

    ReportCharts(ExperimentReport report, List<RunResult> results, List<String> groupings) {
        this.report = report;
        this.results = results;
        this.groupings = groupings;
    }

    private List<String> methods() {
        List<String> out = new ArrayList<>();
        for (RunResult r : results) if (!out.contains(r.method())) out.add(r.method());
        return out;
    }

    static BasicStroke stroke(int i) {
        float[] dash = DASHES[i % DASHES.length];
        return dash == null ? new BasicStroke(2f) : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f);
    }

    static Shape marker(int i) {
        double s = 7, h = s / 2;
        return switch (i % 5) {
            case 0 -> new Ellipse2D.Double(-h, -h, s, s);
            case 1 -> new Rectangle2D.Double(-h, -h, s, s);
            case 2 -> triangle(h, false);
            case 3 -> diamond(h);
            default -> triangle(h, true);
        };
    }

    private static Shape triangle(double h, boolean down) {
        Path2D.Double p = new Path2D.Double();
        double d = down ? -1 : 1;
        p.moveTo(0, -h * d);
        p.lineTo(h, h * d);
        p.lineTo(-h, h * d);
        p.closePath();
        return p;
    }

    private static Shape diamond(double h) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(0, -h);
        p.lineTo(h, 0);
        p.lineTo(0, h);
        p.lineTo(-h, 0);
        p.closePath();
        return p;
    }

    private static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        plot.setOutlinePaint(Color.GRAY);
    }

    private static NumberAxis integerAxis(String label) {
        NumberAxis x = new NumberAxis(label);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setAutoRangeIncludesZero(false);
        return x;
    }

    private static double[][] meanCurve(List<RunResult> runs) {
        TreeMap<Double, List<Double>> byStep = new TreeMap<>();
        for (RunResult r : runs) for (double[] p : r.evalCurve()) byStep.computeIfAbsent(p[0], k -> new ArrayList<>()).add(p[1]);
        double[][] out = new double[byStep.size()][];
        int i = 0;
        for (var e : byStep.entrySet()) out[i++] = new double[] {e.getKey(), MeanCi.of(e.getValue()).mean()};
        return out;
    }

    /** Eval loss by step, mean over seeds, y zoomed to the points after the first quarter of the steps. */
    void writeCurves(Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        double lastStep = 0;
        for (RunResult r : results) for (double[] p : r.evalCurve()) lastStep = Math.max(lastStep, p[0]);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (String g : groupings) {
            for (String m : methods()) {
                List<RunResult> runs = report.of(m, g);
                if (runs.isEmpty()) continue;
                XYSeries s = new XYSeries(Strategies.label(m) + (groupings.size() > 1 ? " / " + report.shortName(g) : ""));
                for (double[] p : meanCurve(runs)) {
                    s.add(p[0], p[1]);
                    if (p[0] >= lastStep / 4) {
                        lo = Math.min(lo, p[1]);
                        hi = Math.max(hi, p[1]);
                    }
                }
                data.addSeries(s);
            }
        }
        NumberAxis y = new NumberAxis("eval loss (nats per byte)");
        y.setAutoRangeIncludesZero(false);
        if (hi > lo) {
            double pad = 0.08 * (hi - lo);
            y.setRange(lo - pad, hi + pad);
        }
        XYPlot plot = new XYPlot(data, integerAxis("step"), y, lineRenderer(data.getSeriesCount()));
        style(plot);
        int seeds = report.seedCount();
        save(file, new JFreeChart(String.format(Locale.ROOT, "Evaluation loss by step (mean of %d seed%s; y axis zoomed to steps %d-%d)",
                seeds, seeds == 1 ? "" : "s", Math.round(lastStep / 4), Math.round(lastStep)), JFreeChart.DEFAULT_TITLE_FONT, plot, true));
    }

    private static XYLineAndShapeRenderer lineRenderer(int series) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < series; i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesStroke(i, stroke(i));
            r.setSeriesShape(i, marker(i));
        }
        return r;
    }

    /** Eval loss minus Stratified's (same seed) by step, mean and 95% CI band; false when no grouping has Stratified and another method. */
    boolean writeDifferences(Path file) throws IOException {
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(integerAxis("step"));
        combined.setGap(12);
        LegendItemCollection legend = null;
        for (String g : groupings) {
            List<RunResult> base = report.of("stratified", g);
            if (base.isEmpty()) continue;
            YIntervalSeriesCollection data = new YIntervalSeriesCollection();
            for (String m : methods()) {
                if (m.equals("stratified") || report.of(m, g).isEmpty()) continue;
                YIntervalSeries s = new YIntervalSeries(Strategies.label(m));
                TreeMap<Double, List<Double>> byStep = new TreeMap<>();
                for (RunResult r : report.of(m, g)) {
                    RunResult ref = base.stream().filter(b -> b.seed() == r.seed()).findFirst().orElse(null);
                    if (ref == null) continue;
                    TreeMap<Double, Double> refCurve = new TreeMap<>();
                    for (double[] p : ref.evalCurve()) refCurve.put(p[0], p[1]);
                    for (double[] p : r.evalCurve()) {
                        Double b = refCurve.get(p[0]);
                        if (b != null) byStep.computeIfAbsent(p[0], k -> new ArrayList<>()).add(p[1] - b);
                    }
                }
                for (var e : byStep.entrySet()) {
                    MeanCi c = MeanCi.of(e.getValue());
                    boolean band = !Double.isNaN(c.halfWidth());
                    s.add(e.getKey(), c.mean(), band ? c.low() : c.mean(), band ? c.high() : c.mean());
                }
                if (s.getItemCount() > 0) data.addSeries(s);
            }
            if (data.getSeriesCount() == 0) continue;
            DeviationRenderer r = new DeviationRenderer(true, true);
            for (int i = 0; i < data.getSeriesCount(); i++) {
                Color c = PALETTE[(i + 1) % PALETTE.length]; // colour 0 (black) is Stratified's in the curves
                r.setSeriesPaint(i, c);
                r.setSeriesFillPaint(i, c);
                r.setSeriesStroke(i, stroke(i + 1));
                r.setSeriesShape(i, marker(i + 1));
            }
            r.setAlpha(0.18f);
            NumberAxis y = new NumberAxis("loss − Stratified's" + (groupings.size() > 1 ? " (" + report.shortName(g) + ")" : ""));
            y.setAutoRangeIncludesZero(true);
            XYPlot plot = new XYPlot(data, null, y, r);
            style(plot);
            ValueMarker zero = new ValueMarker(0, Color.BLACK, new BasicStroke(1.2f));
            plot.addRangeMarker(zero);
            combined.add(plot);
            if (legend == null) legend = plot.getLegendItems();
        }
        if (combined.getSubplots().isEmpty()) {
            Files.deleteIfExists(file);
            return false;
        }
        combined.setFixedLegendItems(legend);
        int seeds = report.seedCount();
        save(file, new JFreeChart(String.format(Locale.ROOT, "Eval loss minus Stratified's with the same seed (below 0: better); mean and 95%% CI over %d seed%s",
                seeds, seeds == 1 ? "" : "s"), new Font("SansSerif", Font.BOLD, 15), combined, true), 1000, 300 + 250 * combined.getSubplots().size());
        return true;
    }

    /**
     * The R&amp;B settings charted, each with its runs (up to three seeds) on the last grouping that has an R&amp;B run:
     * method "rnb" (else the first R&amp;B variant) first, then the other R&amp;B settings in --methods order.
     */
    private List<List<RunResult>> rnbSettings() {
        for (int gi = groupings.size() - 1; gi >= 0; gi--) {
            String g = groupings.get(gi);
            List<List<RunResult>> out = new ArrayList<>();
            if (!report.of("rnb", g).isEmpty()) out.add(report.of("rnb", g));
            for (String m : methods()) {
                if (Strategies.base(m).equals("rnb") && !m.equals("rnb") && !report.of(m, g).isEmpty()) out.add(report.of(m, g));
            }
            if (!out.isEmpty()) return out.stream().map(runs -> runs.subList(0, Math.min(3, runs.size()))).toList();
        }
        return List.of();
    }

    /** The file of a setting's proportions chart: {@code main} for the first, main's name plus the setting (rnb-proportions-lambda-5.png) for the others. */
    static String proportionsFile(String main, String method, boolean first) {
        if (first) return main;
        String setting = method.substring(method.indexOf(':') + 1).replaceAll("[^A-Za-z0-9.]+", "-");
        return main.replaceFirst("\\.png$", "") + "-" + setting + ".png";
    }

    /**
     * R&amp;B's proportions in force during each round, stacked, one chart per R&amp;B setting (see {@link #rnbSettings});
     * returns the names of the files written in {@code dir} (none, and {@code main} removed, without an R&amp;B run).
     */
    List<String> writeProportions(Path dir, String main) throws IOException {
        List<List<RunResult>> settings = rnbSettings();
        if (settings.isEmpty()) Files.deleteIfExists(dir.resolve(main));
        List<String> written = new ArrayList<>();
        for (List<RunResult> runs : settings) {
            String name = proportionsFile(main, runs.get(0).method(), written.isEmpty());
            writeProportions(dir.resolve(name), runs);
            written.add(name);
        }
        return written;
    }

    private void writeProportions(Path file, List<RunResult> runs) throws IOException {
        List<String> names = runs.get(0).domainNames();
        int k = names.size();
        double[] mean = new double[k];
        for (RunResult r : runs) {
            for (RunResult.Proportions round : r.proportions()) {
                float[] p = round.p(); // expanded one round at a time: the history itself stays sparse
                for (int d = 0; d < k; d++) mean[d] += p[d];
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int d = 0; d < k; d++) order.add(d);
        order.sort(Comparator.comparingDouble(d -> -mean[d]));
        boolean rest = k > TOP_DOMAINS + 1;
        List<Integer> shown = rest ? order.subList(0, TOP_DOMAINS) : order.stream().sorted().toList();
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(integerAxis("round (proportions in force during it; round 0 = initial)"));
        combined.setGap(12);
        LegendItemCollection legend = null;
        for (RunResult r : runs) {
            CategoryTableXYDataset data = new CategoryTableXYDataset();
            List<RunResult.Proportions> history = r.proportions();
            for (int round = 0; round < history.size(); round++) {
                float[] p = history.get(round).p();
                double others = 1;
                for (int d : shown) {
                    data.add(round, p[d], names.get(d), false);
                    others -= p[d];
                }
                if (rest) data.add(round, Math.max(0, others), "rest (" + (k - TOP_DOMAINS) + " clusters)", false);
            }
            StackedXYBarRenderer renderer = new StackedXYBarRenderer(0.15);
            renderer.setBarPainter(new StandardXYBarPainter());
            renderer.setShadowVisible(false);
            renderer.setDrawBarOutline(true);
            for (int i = 0; i < data.getSeriesCount(); i++) {
                renderer.setSeriesPaint(i, i == TOP_DOMAINS ? new Color(0xDDDDDD) : PALETTE[i % PALETTE.length]);
                renderer.setSeriesOutlinePaint(i, Color.WHITE);
            }
            NumberAxis y = new NumberAxis("proportion, seed " + r.seed());
            y.setRange(0, 1);
            XYPlot plot = new XYPlot(data, null, y, renderer);
            style(plot);
            combined.add(plot);
            if (legend == null) legend = plot.getLegendItems();
        }
        combined.setFixedLegendItems(legend);
        RunResult first = runs.get(0);
        save(file, new JFreeChart("R&B's proportions by round: " + Strategies.label(first.method()) + ", " + first.grouping(),
                new Font("SansSerif", Font.BOLD, 14), combined, true), 1000, 200 + 230 * runs.size());
    }

    private static void save(Path file, JFreeChart chart) throws IOException {
        save(file, chart, 1000, 550);
    }

    private static void save(Path file, JFreeChart chart, int width, int height) throws IOException {
        System.setProperty("java.awt.headless", "true");
        chart.setBackgroundPaint(Color.WHITE);
        Path tmp = ExperimentReport.temporarySibling(file);
        try {
            ChartUtils.saveChartAsPNG(tmp.toFile(), chart, width, height);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
