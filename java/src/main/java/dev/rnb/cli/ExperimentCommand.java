package dev.rnb.cli;

import dev.rnb.backend.Backend;
import dev.rnb.mix.Experiment;
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
        description = {"Train every mixing method on the original and the regrouped domains with the same seed, model and step budget;",
                "print and save the table (final eval loss, measured and analytic overhead, per-domain losses), curves and an HTML report."})
final class ExperimentCommand implements Callable<Integer> {
    @Mixin
    MixingOptions o;

    @Option(names = "--methods", split = ",", description = "Methods to run (default: stratified,natural,skill-it,aioli,dga,rnb)")
    List<String> methods = new ArrayList<>(Strategies.NAMES);

    @Option(names = "--seeds", defaultValue = "1", description = "Number of seeds (first = --seed) (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--out", defaultValue = "rnb-experiment", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws IOException {
        o.check();
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds must be >= 1");
        }
        methods.forEach(Strategies::canonical);
        List<Long> seedList = new ArrayList<>();
        for (int i = 0; i < seeds; i++) seedList.add(o.seed + i);
        try (Backend b = o.openBackend()) {
            List<Grouping> groupings = o.groupings(b, true, out);
            OutputFolder.prepare(out);
            long parameters = new ParameterLayout(o.config()).size();
            String settings = o.settings(o.config(), parameters, seeds) + "; backend " + b.name();
            System.out.println("rnb experiment: " + settings);
            for (Grouping g : groupings) {
                System.out.printf(Locale.ROOT, "  %s: %d domains, %d train / %d eval examples%n", g.label(), g.domains(), g.train().size(), g.eval().size());
            }
            o.notes.forEach(n -> System.out.println("  " + n));
            List<RunResult> results = new Experiment(b, o.config(), o.steps, o.shape.batch, o.mix(), o.evalEvery, o.logEvery, System.out::println)
                    .run(groupings, methods, seedList);
            ExperimentReport report = new ExperimentReport(results);
            System.out.println();
            System.out.print(report.markdownReport());
            String about = settings + (o.notes.isEmpty() ? "" : ". " + String.join(". ", o.notes));
            OutputFolder.write(out, () -> report.write(out, "rnb experiment: data mixing methods compared", about));
            Path html = out.resolve(ExperimentReport.HTML);
            System.out.println();
            System.out.println("wrote " + out.resolve(ExperimentReport.TABLE) + ", " + out.resolve(ExperimentReport.CSV) + ", "
                    + out.resolve(ExperimentReport.CURVES) + ", " + out.resolve(ExperimentReport.PROPORTIONS));
            System.out.println("report: " + html.toAbsolutePath());
        }
        return 0;
    }
}
