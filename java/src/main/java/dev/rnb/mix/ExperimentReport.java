package dev.rnb.mix;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an experiment's results: results.csv (one row per run), table.md
 * (the paper-style table: final eval loss per method and grouping, mean and
 * standard deviation over seeds, with measured and analytic overhead, then
 * per-domain losses), curves.png (eval loss per step, first seed),
 * rnb-proportions.png (R&amp;B's proportions over rounds, last grouping, first
 * seed) and report.html putting them together. Every file is written to a
 * temporary file and renamed into place.
 */
public final class ExperimentReport {
    public static final String CSV = "results.csv", TABLE = "table.md", CURVES = "curves.png",
            PROPORTIONS = "rnb-proportions.png", HTML = "report.html";

    static final String EXPLANATION = "Measured overhead: wall-clock time of the method's extra work over the rest of the training time. Counted flops: the flops of that work as this implementation performs it (forward 2N, forward+backward 6N per token; R&B's per-domain gradient GEMMs and G p) over C = 6 N D_t. Paper cost model: rnb-method.md's formulas with this run's T, m, D_e, delta and D_t (the paper's 0.01% figure is of this kind).";

    private final List<RunResult> results;
    private final List<String> groupings = new ArrayList<>();
    private final List<String> methods = new ArrayList<>();

    public ExperimentReport(List<RunResult> results) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("no runs to report");
        }
        this.results = List.copyOf(results);
        LinkedHashSet<String> g = new LinkedHashSet<>(), m = new LinkedHashSet<>();
        for (RunResult r : results) {
            g.add(r.grouping());
            m.add(r.method());
        }
        groupings.addAll(g);
        methods.addAll(m);
    }

    private List<RunResult> of(String method, String grouping) {
        List<RunResult> out = new ArrayList<>();
        for (RunResult r : results) if (r.method().equals(method) && r.grouping().equals(grouping)) out.add(r);
        return out;
    }

    private static String meanSd(List<Double> v, String fmt) {
        if (v.isEmpty()) return "-";
        double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        if (v.size() == 1) return String.format(Locale.ROOT, fmt, mean);
        double ss = 0;
        for (double x : v) ss += (x - mean) * (x - mean);
        return String.format(Locale.ROOT, fmt + " ± " + fmt, mean, Math.sqrt(ss / (v.size() - 1)));
    }

    /** A grouping's short name for column headers: its label up to " (", unless two groupings would share it. */
    String shortName(String grouping) {
        int cut = grouping.indexOf(" (");
        String s = cut > 0 ? grouping.substring(0, cut) : grouping;
        for (String other : groupings) {
            if (!other.equals(grouping) && other.startsWith(s + " (")) return grouping;
        }
        return s;
    }

    /** Lines "short name: full label" for every grouping whose header is shortened. */
    List<String> legend() {
        List<String> out = new ArrayList<>();
        for (String g : groupings) if (!shortName(g).equals(g)) out.add(shortName(g) + ": " + g);
        return out;
    }

    /** The main table: header row first. */
    public List<List<String>> mainTable() {
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("method"));
        for (String g : groupings) header.add("eval loss: " + shortName(g));
        for (String g : groupings) header.add("overhead % measured: " + shortName(g));
        for (String g : groupings) header.add("overhead % counted flops: " + shortName(g));
        for (String g : groupings) header.add("overhead % paper cost model: " + shortName(g));
        rows.add(header);
        for (String m : methods) {
            List<String> row = new ArrayList<>(List.of(Strategies.label(m)));
            for (String g : groupings) row.add(meanSd(of(m, g).stream().map(RunResult::evalLoss).toList(), "%.4f"));
            for (String g : groupings) row.add(meanSd(of(m, g).stream().map(RunResult::measuredOverheadPercent).toList(), "%.2f"));
            for (String g : groupings) row.add(meanSd(of(m, g).stream().map(RunResult::analyticOverheadPercent).toList(), "%.4g"));
            for (String g : groupings) row.add(meanSd(of(m, g).stream().map(RunResult::costModelPercent).toList(), "%.4g"));
            rows.add(row);
        }
        return rows;
    }

    /** Per-domain final eval loss (mean over seeds) for one grouping: header row first. */
    public List<List<String>> domainTable(String grouping) {
        List<List<String>> rows = new ArrayList<>();
        List<String> names = null;
        for (RunResult r : results) if (r.grouping().equals(grouping)) { names = r.domainNames(); break; }
        List<String> header = new ArrayList<>(List.of("method"));
        header.addAll(names);
        rows.add(header);
        for (String m : methods) {
            List<RunResult> runs = of(m, grouping);
            if (runs.isEmpty()) continue;
            List<String> row = new ArrayList<>(List.of(Strategies.label(m)));
            for (int d = 0; d < names.size(); d++) {
                final int dd = d;
                row.add(meanSd(runs.stream().map(r -> r.domainLoss()[dd]).filter(x -> !Double.isNaN(x)).toList(), "%.4f"));
            }
            rows.add(row);
        }
        return rows;
    }

    static String markdown(List<List<String>> rows) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            s.append("| ").append(String.join(" | ", rows.get(i))).append(" |\n");
            if (i == 0) s.append("|").append("---|".repeat(rows.get(0).size())).append('\n');
        }
        return s.toString();
    }

    static String html(List<List<String>> rows) {
        StringBuilder s = new StringBuilder("<table>\n");
        for (int i = 0; i < rows.size(); i++) {
            String cell = i == 0 ? "th" : "td";
            s.append("<tr>");
            for (String c : rows.get(i)) s.append('<').append(cell).append('>').append(escape(c)).append("</").append(cell).append('>');
            s.append("</tr>\n");
        }
        return s.append("</table>\n").toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** The text printed to the console and saved as table.md. */
    public String markdownReport() {
        StringBuilder s = new StringBuilder("## Final evaluation loss (nats per byte) and overhead\n\n");
        s.append(markdown(mainTable()));
        for (String l : legend()) s.append("\n- ").append(l);
        if (!legend().isEmpty()) s.append('\n');
        for (String g : groupings) {
            s.append("\n### Per-domain evaluation loss: ").append(g).append("\n\n").append(markdown(domainTable(g)));
        }
        s.append("\n").append(EXPLANATION).append("\n");
        return s.toString();
    }

    public String csv() {
        StringBuilder s = new StringBuilder("method,grouping,seed,eval_loss,measured_overhead_pct,counted_flops_overhead_pct,cost_model_overhead_pct,train_seconds,extra_seconds,domain_losses\n");
        for (RunResult r : results) {
            StringBuilder domains = new StringBuilder();
            for (int d = 0; d < r.domainNames().size(); d++) {
                if (d > 0) domains.append(';');
                domains.append(r.domainNames().get(d)).append('=').append(String.format(Locale.ROOT, "%.6f", r.domainLoss()[d]));
            }
            s.append(String.format(Locale.ROOT, "%s,%s,%d,%.6f,%.4f,%.6g,%.6g,%.3f,%.3f,%s%n", r.method(), r.grouping().replace(',', ';'),
                    r.seed(), r.evalLoss(), r.measuredOverheadPercent(), r.analyticOverheadPercent(), r.costModelPercent(), r.trainNanos() / 1e9,
                    r.extraNanos() / 1e9, domains));
        }
        return s.toString();
    }

    /** Writes every file into {@code dir}; returns the HTML report's path. */
    public Path write(Path dir, String title, String settings) throws IOException {
        Files.createDirectories(dir);
        writeText(dir.resolve(CSV), csv());
        writeText(dir.resolve(TABLE), "# " + title + "\n\n" + settings + "\n\n" + markdownReport());
        writeCurves(dir.resolve(CURVES));
        boolean haveProportions = writeProportions(dir.resolve(PROPORTIONS));
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(escape(title)).append("</title><style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
                        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 8px;text-align:right}"
                        + "th{background:#eee}td:first-child{text-align:left}</style></head><body>\n<h1>")
                .append(escape(title)).append("</h1>\n<p>").append(escape(settings)).append("</p>\n")
                .append("<h2>Final evaluation loss (nats per byte) and overhead</h2>\n").append(html(mainTable()))
                .append(legend().isEmpty() ? "" : "<ul><li>" + escape(String.join("\u0000", legend())).replace("\u0000", "</li><li>") + "</li></ul>\n")
                .append("<p>").append(escape(EXPLANATION)).append("</p>\n")
                .append("<h2>Evaluation loss during training</h2>\n<img src=\"").append(CURVES).append("\" alt=\"eval loss curves\">\n");
        if (haveProportions) {
            h.append("<h2>R&amp;B's proportions over rounds</h2>\n<img src=\"").append(PROPORTIONS).append("\" alt=\"R&amp;B proportions\">\n");
        }
        for (String g : groupings) {
            h.append("<h2>Per-domain evaluation loss: ").append(escape(g)).append("</h2>\n").append(html(domainTable(g)));
        }
        h.append("<p>Raw results: <a href=\"").append(CSV).append("\">").append(CSV).append("</a></p>\n</body></html>\n");
        Path html = dir.resolve(HTML);
        writeText(html, h.toString());
        return html;
    }

    private void writeCurves(Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        long firstSeed = results.get(0).seed();
        for (RunResult r : results) {
            if (r.seed() != firstSeed) continue;
            XYSeries s = new XYSeries(Strategies.label(r.method()) + (groupings.size() > 1 ? " / " + r.grouping() : ""));
            for (double[] p : r.evalCurve()) s.add(p[0], p[1]);
            data.addSeries(s);
        }
        savePng(file, ChartFactory.createXYLineChart("Evaluation loss", "step", "eval loss (nats per byte)", data,
                PlotOrientation.VERTICAL, true, false, false));
    }

    private boolean writeProportions(Path file) throws IOException {
        RunResult rnb = null;
        for (RunResult r : results) {
            if (r.method().equals("rnb") && r.seed() == results.get(0).seed()) rnb = r; // the last grouping's
        }
        if (rnb == null) {
            Files.deleteIfExists(file);
            return false;
        }
        Map<String, XYSeries> series = new LinkedHashMap<>();
        for (String d : rnb.domainNames()) series.put(d, new XYSeries(d));
        for (RunResult.Proportions p : rnb.proportions()) {
            for (int d = 0; d < p.p().length; d++) series.get(rnb.domainNames().get(d)).add(p.step(), p.p()[d]);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        savePng(file, ChartFactory.createXYStepChart("R&B proportions by round: " + rnb.grouping(), "step", "proportion", data,
                PlotOrientation.VERTICAL, true, false, false));
        return true;
    }

    private static void savePng(Path file, JFreeChart chart) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path tmp = temporarySibling(file);
        try {
            ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 1000, 550);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A fresh name beside {@code file} (created with the default permissions, unlike Files.createTempFile's owner-only ones). */
    private static Path temporarySibling(Path file) {
        return file.toAbsolutePath().resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + System.nanoTime() + ".tmp");
    }

    static void writeText(Path file, String text) throws IOException {
        Path tmp = temporarySibling(file);
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
