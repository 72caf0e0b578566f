package dev.rnb.cli;

import dev.rnb.backend.Backend;
import dev.rnb.mix.ExperimentReport;
import dev.rnb.mix.Grouping;
import dev.rnb.mix.RunResult;
import dev.rnb.mix.Strategies;
import dev.rnb.model.ParameterLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** The comparison grid {original, regrouped domains} x {Stratified, Natural, Skill-It, Aioli, DGA, R&B}. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = {"Train every mixing method on the original and the regrouped domains over several seeds, with the same model and",
                "step budget per seed; print and save the final eval losses with 95%% CIs, each method against Stratified paired by seed",
                "(better / worse / not distinguishable), the overhead (measured, counted, paper's cost model), charts and an HTML report."})
final class ExperimentCommand implements Callable<Integer> {
    @Mixin
    ExperimentOptions o;

    @Option(names = "--methods", split = ",", description = {"Methods to run (default: stratified,natural,skill-it,aioli,dga,rnb; also doremi, doge);",
            "a method may carry its own settings, e.g. rnb:lambda=5:K=10 (keys lambda (a number or auto), K, sketch, eta, probe-steps, ema, uniform, absent, hier)"})
    List<String> methods = new ArrayList<>(Strategies.NAMES);

    @Option(names = "--groupings", split = ",", paramLabel = "original,regrouped",
            description = "Which domains to mix: the original ones, the regrouped ones, or both (default: both)")
    List<String> groupingNames = new ArrayList<>(List.of("original", "regrouped"));

    @Option(names = "--out", defaultValue = "rnb-experiment", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws IOException {
        o.check();
        methods.forEach(Strategies::canonical);
        for (String g : groupingNames) {
            if (!g.equals("original") && !g.equals("regrouped")) {
                throw new IllegalArgumentException("--groupings takes original and/or regrouped, got '" + g + "'");
            }
        }
        try (Backend b = o.openBackend()) {
            List<Grouping> groupings = o.groupings(b, groupingNames.contains("original"), groupingNames.contains("regrouped"), out);
            OutputFolder.prepare(out);
            long parameters = new ParameterLayout(o.config()).size();
            String settings = o.settings(o.config(), parameters) + "; backend " + b.name();
            System.out.println("rnb experiment: " + settings);
            for (Grouping g : groupings) {
                System.out.printf(Locale.ROOT, "  %s: %d domains, %d train / %d eval examples%n", g.label(), g.domains(), g.train().size(), g.eval().size());
            }
            o.notes.forEach(n -> System.out.println("  " + n));
            List<RunResult> results = o.experiment(b).run(groupings, methods, o.seedList());
            ExperimentReport report = new ExperimentReport(results);
            System.out.println();
            System.out.print(report.markdownReport());
            String about = settings + (o.notes.isEmpty() ? "" : ". " + String.join(". ", o.notes));
            OutputFolder.write(out, () -> report.write(out, "rnb experiment: data mixing methods compared", about));
            Path html = out.resolve(ExperimentReport.HTML);
            System.out.println();
            System.out.println("wrote " + out.resolve(ExperimentReport.TABLE) + ", " + out.resolve(ExperimentReport.CSV) + ", "
                    + out.resolve(ExperimentReport.CURVES) + ", " + out.resolve(ExperimentReport.DIFFERENCES) + ", "
                    + out.resolve(ExperimentReport.PROPORTIONS) + ", " + out.resolve(ExperimentReport.DOMAIN_LOSSES) + ", "
                    + out.resolve(ExperimentReport.MIXTURE_ROUNDS));
            System.out.println("report: " + html.toAbsolutePath());
        }
        return 0;
    }
}
