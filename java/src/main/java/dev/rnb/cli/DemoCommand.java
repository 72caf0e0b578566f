package dev.rnb.cli;

import dev.rnb.backend.Backend;
import dev.rnb.mix.ExperimentReport;
import dev.rnb.mix.Grouping;
import dev.rnb.mix.MeanCi;
import dev.rnb.mix.PairedDifference;
import dev.rnb.mix.RunResult;
import dev.rnb.model.ParameterLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** The main job: regroup the built-in corpus, train Stratified and R&B on the regrouped domains, compare, report. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"R&B end to end on the built-in corpus: regroup, train Stratified and R&B on the regrouped domains",
                "with several seeds, print the paired comparison (won, lost or not distinguishable) and the overhead, write an HTML report."})
final class DemoCommand implements Callable<Integer> {
    @Mixin
    ExperimentOptions o;

    @Option(names = "--out", defaultValue = "rnb-demo", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws IOException {
        o.check();
        try (Backend b = o.openBackend()) {
            long parameters = new ParameterLayout(o.config()).size();
            String settings = o.settings(o.config(), parameters) + "; backend " + b.name();
            System.out.println("rnb demo: " + settings);
            List<Grouping> groupings = o.groupings(b, false, true, out);
            OutputFolder.prepare(out);
            Grouping g = groupings.get(groupings.size() - 1);
            o.notes.forEach(System.out::println);
            System.out.printf(Locale.ROOT, "domains: %s | %d domains | %d train / %d eval examples%n", g.label(), g.domains(),
                    g.train().size(), g.eval().size());
            List<RunResult> results = o.experiment(b).run(List.of(g), List.of("stratified", "rnb"), o.seedList());
            List<RunResult> strat = results.stream().filter(r -> r.method().equals("stratified")).toList();
            List<RunResult> rnb = results.stream().filter(r -> r.method().equals("rnb")).toList();
            System.out.println();
            MeanCi s = MeanCi.of(strat.stream().map(RunResult::evalLoss).toList());
            MeanCi r = MeanCi.of(rnb.stream().map(RunResult::evalLoss).toList());
            System.out.printf(Locale.ROOT, "final eval loss over %d seed%s (mean ± 95%% CI): Stratified %s | R&B %s%n", o.seeds,
                    o.seeds == 1 ? "" : "s", s.format("%.4f"), r.format("%.4f"));
            PairedDifference d = PairedDifference.of(rnb, strat);
            System.out.println(d.sentence("R&B", "Stratified"));
            System.out.println("In short: " + inShort(d));
            MeanCi measured = MeanCi.of(rnb.stream().map(RunResult::measuredOverheadPercent).toList());
            System.out.printf(Locale.ROOT, "R&B overhead: %s%% of training time measured; %.4g%% of 6ND counted flops; %.4g%% by the paper's cost model%n",
                    measured.format("%.2f"), rnb.get(0).analyticOverheadPercent(), rnb.get(0).costModelPercent());
            for (RunResult run : rnb) {
                float[] p = run.proportions().get(run.proportions().size() - 1).p();
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "R&B's final proportions, seed %d:", run.seed()));
                for (int k = 0; k < p.length; k++) {
                    line.append(String.format(Locale.ROOT, " %s %.3f", run.domainNames().get(k), p[k]));
                }
                System.out.println(line);
            }
            ExperimentReport report = new ExperimentReport(results);
            String about = settings + "; " + g.label() + (o.notes.isEmpty() ? "" : ". " + String.join(". ", o.notes));
            OutputFolder.write(out, () -> report.write(out, "rnb demo: Stratified vs R&B on regrouped domains", about));
            Path html = out.resolve(ExperimentReport.HTML);
            System.out.println("report: " + html.toAbsolutePath());
        }
        return 0;
    }

    /** "R&B won", "R&B lost" or "R&B and Stratified could not be told apart", with the seed count behind it. */
    static String inShort(PairedDifference d) {
        return switch (d.verdict()) {
            case "better than" -> "R&B won (lower loss, 95% CI of the difference below 0, " + d.seeds() + " seeds).";
            case "worse than" -> "R&B lost (higher loss, 95% CI of the difference above 0, " + d.seeds() + " seeds).";
            default -> d.seeds() < 2 ? "one seed cannot tell R&B from Stratified; run more seeds (--seeds)."
                    : "R&B and Stratified could not be told apart (95% CI of the difference contains 0, " + d.seeds() + " seeds).";
        };
    }
}
