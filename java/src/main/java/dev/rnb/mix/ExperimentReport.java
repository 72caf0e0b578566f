package dev.rnb.mix;

import dev.rnb.data.DomainProportions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Writes an experiment's results: results.csv (one row per run), table.md
 * (final eval loss per method and grouping with 95% CIs over seeds; every
 * method against Stratified and regrouped against original domains, paired
 * by seed, with a verdict; overhead measured, counted and by the paper's cost
 * model; per-domain losses), the charts of {@link ReportCharts} and
 * report.html putting them together, domain-losses.csv (one row per
 * domain per run) and mixture-rounds.csv (one row per mixture a run put in
 * force). Beyond {@link DomainLossSummary#MAX_DOMAIN_COLUMNS}
 * domains the tables and results.csv summarise the per-domain losses
 * (quantiles, lowest and highest domains) instead of a column or an entry per
 * domain. Every file is written to a temporary file and renamed into place.
 */
public final class ExperimentReport {
    public static final String CSV = "results.csv", TABLE = "table.md", CURVES = "curves.png",
            DIFFERENCES = "curves-vs-stratified.png", PROPORTIONS = "rnb-proportions.png", HTML = "report.html",
            DOMAIN_LOSSES = "domain-losses.csv", MIXTURE_ROUNDS = "mixture-rounds.csv";

    static final String EXPLANATION = "Measured overhead: wall-clock time of the method's extra work over the rest of the training time. Counted flops: the flops of that work as this implementation performs it (forward 2N, forward+backward 6N per token; R&B's per-domain gradient GEMMs and G p) over C = 6 N D_t. Paper cost model: rnb-method.md's formulas with this run's T, m, D_e, delta and D_t (the paper's 0.01% figure is of this kind). Every method trains on the same number of training tokens D_t; passes outside those steps are the overhead.";

    static final String CI_NOTE = "Losses are nats per byte; \"a ± b\": mean and half-width of the 95% confidence interval over seeds (Student's t); one seed gives no interval. Paired differences subtract the Stratified run (or the original grouping's run) with the same seed, which shares the initialisation and the batch sampler's generator; \"better\" or \"worse\" means the 95% CI of the difference excludes 0.";

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

    List<RunResult> of(String method, String grouping) {
        List<RunResult> out = new ArrayList<>();
        for (RunResult r : results) if (r.method().equals(method) && r.grouping().equals(grouping)) out.add(r);
        return out;
    }

    private static String ci(List<RunResult> runs, ToDoubleFunction<RunResult> f, String fmt) {
        return MeanCi.of(runs.stream().map(f::applyAsDouble).toList()).format(fmt);
    }

    private boolean hasStratified(String grouping) { return !of("stratified", grouping).isEmpty(); }

    int seedCount() {
        return (int) results.stream().mapToLong(RunResult::seed).distinct().count();
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

    /** Final eval loss per method and grouping, mean ± 95% CI half-width over seeds: header row first. */
    public List<List<String>> mainTable() {
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("method"));
        for (String g : groupings) header.add("eval loss: " + shortName(g));
        rows.add(header);
        for (String m : methods) {
            List<String> row = new ArrayList<>(List.of(Strategies.label(m)));
            for (String g : groupings) row.add(ci(of(m, g), RunResult::evalLoss, "%.4f"));
            rows.add(row);
        }
        return rows;
    }

    /** Every method against Stratified on the same grouping and seed: header row first (empty without Stratified runs). */
    public List<List<String>> pairedTable() {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("grouping", "method", "loss − Stratified (mean)", "95% CI", "seeds lower", "verdict"));
        for (String g : groupings) {
            if (!hasStratified(g)) continue;
            for (String m : methods) {
                if (m.equals("stratified") || of(m, g).isEmpty()) continue;
                rows.add(pairedRow(shortName(g), Strategies.label(m), PairedDifference.of(of(m, g), of("stratified", g)), "Stratified"));
            }
        }
        return rows.size() > 1 ? rows : List.of();
    }

    /** Each method on the regrouped domains against itself on the original ones (the first grouping), same seed. */
    public List<List<String>> regroupingTable() {
        if (groupings.size() < 2) return List.of();
        String original = groupings.get(0);
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("grouping", "method", "loss − same method on " + shortName(original) + " (mean)", "95% CI", "seeds lower", "verdict"));
        for (String g : groupings.subList(1, groupings.size())) {
            for (String m : methods) {
                if (of(m, g).isEmpty() || of(m, original).isEmpty()) continue;
                rows.add(pairedRow(shortName(g), Strategies.label(m), PairedDifference.of(of(m, g), of(m, original)),
                        "on " + shortName(original)));
            }
        }
        return rows.size() > 1 ? rows : List.of();
    }

    private static List<String> pairedRow(String grouping, String method, PairedDifference d, String reference) {
        String interval = d.seeds() < 2 ? "- (one seed)"
                : String.format(Locale.ROOT, "[%+.4f, %+.4f]", d.difference().low(), d.difference().high());
        return List.of(grouping, method, String.format(Locale.ROOT, "%+.4f", d.difference().mean()), interval,
                d.wins() + "/" + d.seeds(), d.verdict() + " " + reference);
    }

    /** The plain sentences: each method against Stratified on each grouping, then Stratified regrouped against original. */
    public List<String> verdicts() {
        List<String> out = new ArrayList<>();
        for (String g : groupings) {
            if (!hasStratified(g)) continue;
            for (String m : methods) {
                if (m.equals("stratified") || of(m, g).isEmpty()) continue;
                out.add(PairedDifference.of(of(m, g), of("stratified", g)).sentence(Strategies.label(m) + " on " + shortName(g), "Stratified"));
            }
        }
        String original = groupings.get(0);
        for (String g : groupings.subList(1, groupings.size())) {
            if (!hasStratified(g) || !hasStratified(original)) continue;
            out.add(PairedDifference.of(of("stratified", g), of("stratified", original))
                    .sentence("Stratified on " + shortName(g), "Stratified on " + shortName(original)));
        }
        return out;
    }

    /** Overhead per method and grouping (mean ± 95% CI over seeds): header row first. */
    public List<List<String>> overheadTable() {
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("method"));
        for (String g : groupings) header.add("overhead % measured: " + shortName(g));
        for (String g : groupings) header.add("overhead % counted flops: " + shortName(g));
        for (String g : groupings) header.add("overhead % paper cost model: " + shortName(g));
        rows.add(header);
        for (String m : methods) {
            List<String> row = new ArrayList<>(List.of(Strategies.label(m)));
            for (String g : groupings) row.add(ci(of(m, g), RunResult::measuredOverheadPercent, "%.2f"));
            for (String g : groupings) row.add(ci(of(m, g), RunResult::analyticOverheadPercent, "%.4g"));
            for (String g : groupings) row.add(ci(of(m, g), RunResult::costModelPercent, "%.4g"));
            rows.add(row);
        }
        return rows;
    }

    /**
     * Per-domain final eval loss for one grouping, header row first: a column
     * per domain (mean ± 95% CI over seeds) up to {@link DomainLossSummary#MAX_DOMAIN_COLUMNS}
     * domains, else a {@link DomainLossSummary} of each domain's mean over seeds.
     */
    public List<List<String>> domainTable(String grouping) {
        List<List<String>> rows = new ArrayList<>();
        List<String> names = domainNames(grouping);
        boolean summarise = names.size() > DomainLossSummary.MAX_DOMAIN_COLUMNS;
        List<String> header = new ArrayList<>(List.of("method"));
        header.addAll(summarise ? DomainLossSummary.header() : names);
        rows.add(header);
        for (String m : methods) {
            List<RunResult> runs = of(m, grouping);
            if (runs.isEmpty()) continue;
            List<String> row = new ArrayList<>(List.of(Strategies.label(m)));
            if (summarise) {
                row.addAll(new DomainLossSummary(names, meanOverSeeds(runs, names.size())).cells());
            } else {
                for (int d = 0; d < names.size(); d++) {
                    final int dd = d;
                    row.add(MeanCi.of(runs.stream().map(r -> r.domainLoss()[dd]).filter(x -> !Double.isNaN(x)).toList()).format("%.4f"));
                }
            }
            rows.add(row);
        }
        return rows;
    }

    private List<String> domainNames(String grouping) {
        for (RunResult r : results) if (r.grouping().equals(grouping)) return r.domainNames();
        throw new IllegalArgumentException("no run of grouping " + grouping);
    }

    /** Each domain's loss averaged over the runs that have one (NaN where none has). */
    private static double[] meanOverSeeds(List<RunResult> runs, int k) {
        double[] sum = new double[k];
        int[] n = new int[k];
        for (RunResult r : runs) {
            for (int d = 0; d < k; d++) {
                if (Double.isNaN(r.domainLoss()[d])) continue;
                sum[d] += r.domainLoss()[d];
                n[d]++;
            }
        }
        for (int d = 0; d < k; d++) sum[d] = n[d] == 0 ? Double.NaN : sum[d] / n[d];
        return sum;
    }

    /** One line on what evaluation cost: during training (share of the run) and the final evaluation on the whole set. */
    public String evaluationCost() {
        return String.format(Locale.ROOT, "Evaluation cost: evaluations during training took %s%% of a run (mean ± 95%% CI over %d runs); the final evaluation on the whole evaluation set took %s s per run.",
                MeanCi.of(results.stream().map(RunResult::monitorPercent).toList()).format("%.1f"), results.size(),
                MeanCi.of(results.stream().map(r -> r.finalEvalNanos() / 1e9).toList()).format("%.2f"));
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

    /** The sections of the report in order: (title, table with its header row first). */
    private List<Map.Entry<String, List<List<String>>>> sections() {
        List<Map.Entry<String, List<List<String>>>> out = new ArrayList<>();
        out.add(Map.entry("Final evaluation loss", mainTable()));
        if (!pairedTable().isEmpty()) out.add(Map.entry("Against Stratified, paired by seed", pairedTable()));
        if (!regroupingTable().isEmpty()) out.add(Map.entry("Regrouped against original domains, paired by seed", regroupingTable()));
        out.add(Map.entry("Overhead of each method's extra work", overheadTable()));
        for (String g : groupings) {
            int k = domainNames(g).size();
            String title = "Per-domain evaluation loss: " + g + (k <= DomainLossSummary.MAX_DOMAIN_COLUMNS ? ""
                    : " (" + k + " domains, each domain's mean over seeds, summarised; every domain in " + DOMAIN_LOSSES + ")");
            out.add(Map.entry(title, domainTable(g)));
        }
        return out;
    }

    private String seedsLine() {
        return seedCount() + (seedCount() == 1 ? " seed. " : " seeds. ") + CI_NOTE;
    }

    /** The text printed to the console and saved as table.md. */
    public String markdownReport() {
        StringBuilder s = new StringBuilder(seedsLine()).append('\n');
        for (String l : legend()) s.append("\n- ").append(l);
        if (!legend().isEmpty()) s.append('\n');
        for (Map.Entry<String, List<List<String>>> e : sections()) {
            s.append("\n## ").append(e.getKey()).append("\n\n").append(markdown(e.getValue()));
        }
        List<String> v = verdicts();
        if (!v.isEmpty()) {
            s.append("\n## Verdicts\n\n");
            for (String line : v) s.append("- ").append(line).append('\n');
        }
        s.append("\n").append(EXPLANATION).append("\n\n").append(evaluationCost()).append("\n");
        return s.toString();
    }

    public String csv() {
        StringBuilder s = new StringBuilder("method,grouping,seed,eval_loss,measured_overhead_pct,counted_flops_overhead_pct,cost_model_overhead_pct,train_seconds,extra_seconds,monitor_eval_seconds,final_eval_seconds,domain_losses\n");
        for (RunResult r : results) {
            String domains = r.domainNames().size() > DomainLossSummary.MAX_DOMAIN_COLUMNS
                    ? new DomainLossSummary(r.domainNames(), r.domainLoss()).csvField() : domainEntries(r);
            s.append(String.format(Locale.ROOT, "%s,%s,%d,%.6f,%.4f,%.6g,%.6g,%.3f,%.3f,%.3f,%.3f,%s%n", r.method(), r.grouping().replace(',', ';'),
                    r.seed(), r.evalLoss(), r.measuredOverheadPercent(), r.analyticOverheadPercent(), r.costModelPercent(), r.trainNanos() / 1e9,
                    r.extraNanos() / 1e9, r.monitorNanos() / 1e9, r.finalEvalNanos() / 1e9, domains));
        }
        return s.toString();
    }

    /** name=loss;name=loss... over the run's domains. */
    private static String domainEntries(RunResult r) {
        StringBuilder domains = new StringBuilder();
        for (int d = 0; d < r.domainNames().size(); d++) {
            if (d > 0) domains.append(';');
            domains.append(r.domainNames().get(d)).append('=').append(String.format(Locale.ROOT, "%.6f", r.domainLoss()[d]));
        }
        return domains.toString();
    }

    /**
     * domain-losses.csv: method,grouping,seed,domain,eval_loss, one row per
     * domain per run (names quoted as CSV needs; losses in Java's shortest
     * round-trip form, NaN for a domain without evaluation examples).
     */
    void writeDomainLosses(Path file) throws IOException {
        writeAtomically(file, w -> {
            w.write("method,grouping,seed,domain,eval_loss\n");
            for (RunResult r : results) {
                String run = runCells(r);
                for (int d = 0; d < r.domainNames().size(); d++) {
                    w.write(run);
                    w.write(csvCell(r.domainNames().get(d)));
                    w.write(',');
                    w.write(Double.toString(r.domainLoss()[d])); // exact (shortest round-trip form) and 20x cheaper than a format
                    w.write('\n');
                }
            }
        });
    }

    /**
     * mixture-rounds.csv: method,grouping,seed,step,largest,effective_domains,l1_change,
     * one row per mixture a run put in force (step 0's, then each round's that
     * changed it): its largest proportion, its effective number of domains
     * exp(entropy) and the L1 distance from the mixture before it (empty for
     * the first). It follows a mixture round by round where the log gives a
     * mean and a peak, e.g. whether R&amp;B locks onto one domain at large
     * lambda (largest near 1, effective domains near 1). O(touched) a row
     * for R&amp;B's sparse p' ({@link DomainProportions#entropy}).
     */
    void writeMixtureRounds(Path file) throws IOException {
        writeAtomically(file, w -> {
            w.write("method,grouping,seed,step,largest,effective_domains,l1_change\n");
            for (RunResult r : results) {
                String run = runCells(r);
                DomainProportions before = null;
                for (RunResult.Proportions in : r.proportions()) {
                    DomainProportions p = in.mixture();
                    double[] l1AndLargest = p.l1DistanceAndMax(before == null ? p : before);
                    w.write(run + in.step() + "," + String.format(Locale.ROOT, "%.6g,%.6g,", l1AndLargest[1], Math.exp(p.entropy()))
                            + (before == null ? "" : String.format(Locale.ROOT, "%.6g", l1AndLargest[0])) + "\n");
                    before = p;
                }
            }
        });
    }

    /** "method,grouping,seed," for a run's rows, each cell as CSV needs it. */
    private static String runCells(RunResult r) {
        return csvCell(r.method()) + "," + csvCell(r.grouping()) + "," + r.seed() + ",";
    }

    /** Something that writes a file's text; it may throw as a writer does. */
    private interface TextBody {
        void writeTo(java.io.Writer w) throws IOException;
    }

    /** Writes {@code body} to a temporary sibling, then renames it into place, so that no file is left half-written. */
    private static void writeAtomically(Path file, TextBody body) throws IOException {
        Path tmp = temporarySibling(file);
        try {
            try (java.io.Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                body.writeTo(w);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A CSV cell: as is, or quoted with inner quotes doubled when it holds a comma, a quote or a line break. */
    static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** Writes every file into {@code dir}; returns the HTML report's path. */
    public Path write(Path dir, String title, String settings) throws IOException {
        Files.createDirectories(dir);
        writeText(dir.resolve(CSV), csv());
        writeDomainLosses(dir.resolve(DOMAIN_LOSSES));
        writeMixtureRounds(dir.resolve(MIXTURE_ROUNDS));
        writeText(dir.resolve(TABLE), "# " + title + "\n\n" + settings + "\n\n" + markdownReport());
        ReportCharts charts = new ReportCharts(this, results, groupings);
        charts.writeCurves(dir.resolve(CURVES));
        boolean haveDifferences = charts.writeDifferences(dir.resolve(DIFFERENCES));
        List<String> proportions = charts.writeProportions(dir, PROPORTIONS);
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(escape(title)).append("</title><style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
                        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 8px;text-align:right}"
                        + "th{background:#eee}td:first-child{text-align:left}</style></head><body>\n<h1>")
                .append(escape(title)).append("</h1>\n<p>").append(escape(settings)).append("</p>\n<p>")
                .append(escape(seedsLine())).append("</p>\n")
                .append(legend().isEmpty() ? "" : "<ul><li>" + escape(String.join("\u0000", legend())).replace("\u0000", "</li><li>") + "</li></ul>\n");
        List<String> v = verdicts();
        if (!v.isEmpty()) {
            h.append("<h2>Verdicts</h2>\n<ul>");
            for (String line : v) h.append("<li>").append(escape(line)).append("</li>");
            h.append("</ul>\n");
        }
        for (Map.Entry<String, List<List<String>>> e : sections()) {
            h.append("<h2>").append(escape(e.getKey())).append("</h2>\n").append(html(e.getValue()));
            if (e.getKey().startsWith("Overhead")) h.append("<p>").append(escape(EXPLANATION)).append("</p>\n");
            if (e.getKey().startsWith("Against") || (e.getKey().startsWith("Final") && pairedTable().isEmpty())) {
                if (haveDifferences) {
                    h.append("<h2>Evaluation loss minus Stratified's during training</h2>\n<img src=\"").append(DIFFERENCES)
                            .append("\" alt=\"eval loss minus Stratified's, mean and 95% CI over seeds\">\n");
                }
                h.append("<h2>Evaluation loss during training</h2>\n<img src=\"").append(CURVES).append("\" alt=\"eval loss curves\">\n");
                if (!proportions.isEmpty()) h.append("<h2>R&amp;B's proportions by round</h2>\n");
                for (String chart : proportions) {
                    h.append("<img src=\"").append(chart).append("\" alt=\"R&amp;B proportions\">\n");
                }
            }
        }
        h.append("<p>").append(escape(evaluationCost())).append("</p>\n");
        h.append("<p>Raw results: <a href=\"").append(CSV).append("\">").append(CSV).append("</a>; every domain's loss per run: <a href=\"")
                .append(DOMAIN_LOSSES).append("\">").append(DOMAIN_LOSSES).append("</a>; each mixture a run put in force (largest proportion, "
                        + "effective number of domains, L1 change): <a href=\"").append(MIXTURE_ROUNDS).append("\">").append(MIXTURE_ROUNDS)
                .append("</a></p>\n</body></html>\n");
        Path html = dir.resolve(HTML);
        writeText(html, h.toString());
        return html;
    }

    /** A fresh name beside {@code file} (created with the default permissions, unlike Files.createTempFile's owner-only ones). */
    static Path temporarySibling(Path file) {
        return file.toAbsolutePath().resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + System.nanoTime() + ".tmp");
    }

    static void writeText(Path file, String text) throws IOException {
        writeAtomically(file, w -> w.write(text));
    }
}
