package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.model.GptConfig;
import dev.rnb.train.TrainOptions;
import dev.rnb.train.Trainer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The comparison grid: every grouping x every method x every seed, each run
 * with the same model shape, training-step budget and seed (initialisation
 * and batch sampler) as its peers, so runs differ only in how they mix and
 * runs of one seed can be compared pairwise. Evaluations during training
 * score the same fixed sample of evaluation windows in every run
 * ({@code evalTokens}, see {@link dev.rnb.train.EvalWindows}); the final one
 * scores the whole evaluation set.
 */
public final class Experiment {
    private final Backend backend;
    private final GptConfig config;
    private final int steps;
    private final int batch;
    private final MixOptions mix;
    private final int evalEvery;
    private final long evalTokens;
    private final int logEvery;
    private final Consumer<String> log;

    public Experiment(Backend backend, GptConfig config, int steps, int batch, MixOptions mix, int evalEvery, long evalTokens,
                      int logEvery, Consumer<String> log) {
        this.backend = backend;
        this.config = config;
        this.steps = steps;
        this.batch = batch;
        this.mix = mix;
        this.evalEvery = evalEvery;
        this.evalTokens = evalTokens;
        this.logEvery = logEvery;
        this.log = log;
    }

    public List<RunResult> run(List<Grouping> groupings, List<String> methods, List<Long> seeds) throws IOException {
        List<RunResult> results = new ArrayList<>();
        int total = groupings.size() * methods.size() * seeds.size(), done = 0;
        for (long seed : seeds) {
            for (Grouping g : groupings) {
                for (String method : methods) {
                    done++;
                    log.accept(String.format(Locale.ROOT, "run %d/%d: %s on %s, seed %d", done, total,
                            Strategies.label(method), g.label(), seed));
                    results.add(runOne(g, method, seed));
                }
            }
        }
        return results;
    }

    public RunResult runOne(Grouping g, String spec, long seed) throws IOException {
        String method = Strategies.canonical(spec);
        TrainOptions options = TrainOptions.defaults(steps, batch, seed);
        MixingContext ctx = new MixingContext(backend, g.train(), g.eval(), config, options, mix.withSeed(seed), g.centroids());
        try (MixingStrategy s = Strategies.create(method, ctx); Trainer t = new Trainer(backend, config, options, g.train())) {
            RunResult r = new MixedRun(t, s, g.eval()).evalEvery(evalEvery).evalTokens(evalTokens).logEvery(logEvery, log)
                    .run(g.label(), seed).withMethod(method);
            log.accept(String.format(Locale.ROOT, "  %s: eval loss %.4f | extra work %.2f%% of training time (measured), %.4g%% of 6ND (counted flops), %.4g%% (paper's cost model) | evaluations during training %.1f%% of the run, final evaluation %.1f s",
                    Strategies.label(method), r.evalLoss(), r.measuredOverheadPercent(), r.analyticOverheadPercent(), r.costModelPercent(),
                    r.monitorPercent(), r.finalEvalNanos() / 1e9));
            if (!s.summary().isEmpty()) log.accept("  " + s.summary());
            return r;
        }
    }
}
