package dev.rnb.cli;

import dev.rnb.backend.Backend;
import dev.rnb.mix.Experiment;
import dev.rnb.mix.ExperimentReport;
import dev.rnb.mix.Grouping;
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
        description = {"R&B end to end on the built-in corpus: regroup, train Stratified and R&B on the regrouped domains,",
                "print the comparison and the overhead, write an HTML report."})
final class DemoCommand implements Callable<Integer> {
    @Mixin
    MixingOptions o;

    @Option(names = "--out", defaultValue = "rnb-demo", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws IOException {
        o.check();
        try (Backend b = o.openBackend()) {
            long parameters = new ParameterLayout(o.config()).size();
            String settings = o.settings(o.config(), parameters, 1) + "; backend " + b.name();
            System.out.println("rnb demo: " + settings);
            List<Grouping> groupings = o.groupings(b, false, out);
            OutputFolder.prepare(out);
            Grouping g = groupings.get(groupings.size() - 1);
            o.notes.forEach(System.out::println);
            System.out.printf(Locale.ROOT, "domains: %s | %d domains | %d train / %d eval examples%n", g.label(), g.domains(),
                    g.train().size(), g.eval().size());
            Experiment e = new Experiment(b, o.config(), o.steps, o.shape.batch, o.mix(), o.evalEvery, o.logEvery == 0 ? 0 : o.logEvery,
                    System.out::println);
            List<RunResult> results = e.run(List.of(g), List.of("stratified", "rnb"), List.of(o.seed));
            RunResult strat = results.get(0), rnb = results.get(1);
            System.out.println();
            System.out.printf(Locale.ROOT, "final eval loss: Stratified %.4f | R&B %.4f (%+.4f, %+.2f%%)%n", strat.evalLoss(), rnb.evalLoss(),
                    rnb.evalLoss() - strat.evalLoss(), 100 * (rnb.evalLoss() - strat.evalLoss()) / strat.evalLoss());
            System.out.printf(Locale.ROOT, "R&B overhead: %.2f%% of training time measured (%.3f s of %.1f s); %.4g%% of 6ND counted flops; %.4g%% by the paper's cost model%n",
                    rnb.measuredOverheadPercent(), rnb.extraNanos() / 1e9, rnb.trainNanos() / 1e9, rnb.analyticOverheadPercent(), rnb.costModelPercent());
            float[] p = rnb.proportions().get(rnb.proportions().size() - 1).p();
            StringBuilder line = new StringBuilder("R&B's final proportions:");
            for (int d = 0; d < p.length; d++) {
                line.append(String.format(Locale.ROOT, " %s %.3f", rnb.domainNames().get(d), p[d]));
            }
            System.out.println(line);
            ExperimentReport report = new ExperimentReport(results);
            String about = settings + "; " + g.label() + (o.notes.isEmpty() ? "" : ". " + String.join(". ", o.notes));
            OutputFolder.write(out, () -> report.write(out, "rnb demo: Stratified vs R&B on regrouped domains", about));
            Path html = out.resolve(ExperimentReport.HTML);
            System.out.println("report: " + html.toAbsolutePath());
        }
        return 0;
    }
}
