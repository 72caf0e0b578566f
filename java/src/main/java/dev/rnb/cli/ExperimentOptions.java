package dev.rnb.cli;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.cuda.AttentionPath;
import dev.rnb.balance.SketchSpec;
import dev.rnb.data.BadInputException;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.SyntheticCorpus;
import dev.rnb.data.TrainingExample;
import dev.rnb.data.TrainingCorpus;
import dev.rnb.embed.TextEmbedder;
import dev.rnb.mix.AbsentDomains;
import dev.rnb.mix.Experiment;
import dev.rnb.mix.Grouping;
import dev.rnb.mix.MixOptions;
import dev.rnb.regroup.ClusterAgreement;
import dev.rnb.regroup.KSweep;
import dev.rnb.model.GptConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Options shared by {@code rnb experiment} and {@code rnb demo}: data, model shape, mixing settings. */
final class ExperimentOptions {
    @Option(names = "--input", paramLabel = "TRAIN.jsonl", description = "Training JSONL ({\"text\", \"domain\"} per line); default: the built-in corpus")
    Path input;

    @Option(names = "--eval", paramLabel = "EVAL.jsonl", description = "Held-out JSONL (same domains); default with --input: every 10th example of --input")
    Path eval;

    @Option(names = "--domains-from", paramLabel = "FILE|DIR", description = {"Regrouped domains: one cluster id per line, the training examples' then the evaluation examples';",
            "or rnb regroup's output folder (its train_domains.txt then eval_domains.txt; needs --eval with --input)"})
    Path domainsFrom;

    @Option(names = "--regroup-k", defaultValue = "2..8", description = "k values the Regroup stage sweeps, best silhouette kept: a range 2..8 or a list 4,8 (default: ${DEFAULT-VALUE})")
    String regroupK;

    @Option(names = "--embed-dims", defaultValue = "256", description = "Dimensions of --embedder hashed (default: ${DEFAULT-VALUE})")
    int embedDims;

    @Mixin
    EmbedderOptions embedding;

    @Option(names = "--oracle", description = "Built-in corpus: use its latent skill labels as the regrouped domains instead of running Regroup")
    boolean oracle;

    @Option(names = "--train-size", defaultValue = "4000", description = "Built-in corpus: training examples (default: ${DEFAULT-VALUE})")
    int trainSize;

    @Option(names = "--eval-size", defaultValue = "400", description = "Built-in corpus: evaluation examples (default: ${DEFAULT-VALUE})")
    int evalSize;

    @Option(names = "--steps", defaultValue = "300", description = "Optimiser steps per run (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--round", defaultValue = "20", description = "K: steps per mixing round (default: ${DEFAULT-VALUE})")
    int round;

    @Option(names = "--lambda", defaultValue = "1", description = {"R&B's softmax temperature (default: ${DEFAULT-VALUE}, chosen by the sweep in docs/RESULTS.md;",
            "the paper used 3, which over-concentrated and oscillated on the built-in corpus), or auto: min(1.5 ln k, lambda* / 2)",
            "of the evaluation proportions, for many domains (docs/SCALING.md section 3), or auto-all: auto, and with rnb:hier",
            "the rule at every level of groups too"})
    String lambda;
    /** --lambda as a number, or MixOptions.LAMBDA_AUTO or LAMBDA_AUTO_ALL (check() parses it). */
    private float lambdaValue = 1f;

    @Option(names = "--sketch", defaultValue = "exact", description = {"R&B's per-domain gradients: exact (or 0), count:R (or R: an R-float CountSketch),",
            "or factored:AxB (or AxB: the factored sketch, A x B floats per domain, never a dense gradient; docs/ARCHITECTURE.md) (default: ${DEFAULT-VALUE})"})
    String sketch;

    private SketchSpec sketchSpec = SketchSpec.EXACT;

    @Option(names = "--eta", description = "Step size of Skill-It, Aioli and DGA (default: each method's own)")
    Double eta;

    @Option(names = "--probe-steps", defaultValue = "2", description = "Skill-It / Aioli: training steps per domain when probing (default: ${DEFAULT-VALUE})")
    int probeSteps;

    @Option(names = "--eval-examples", defaultValue = "64", description = "Skill-It / Aioli: evaluation examples per extra evaluation pass (default: ${DEFAULT-VALUE})")
    int evalExamples;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, cuda, cpu, reference or cuda-emulated (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--attention", paramLabel = "kernels|cudnn", description = AttentionOption.DESCRIPTION)
    String attention;

    /** --attention parsed by check(); null when not given. */
    private AttentionPath attentionPath;

    @Mixin
    ModelShapeOptions shape;

    @Option(names = "--seed", defaultValue = "1", description = "First seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--seeds", defaultValue = "3", description = "Number of seeds: --seed, --seed + 1, ... (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--eval-tokens", paramLabel = "N", description = {"Evaluations during training score a fixed random sample of about N predicted bytes",
            "(the same windows in every run; 0 = the whole set); the final evaluation scores the whole set.",
            "Default: eval-every x batch x context / 8 (under 10%% of a run measured)"})
    Long evalTokens;

    @Option(names = "--eval-every", defaultValue = "25", description = "Steps between evaluations for the curves (default: ${DEFAULT-VALUE})")
    int evalEvery;

    @Option(names = "--log-every", defaultValue = "50", description = "Steps between progress lines, 0 = none (default: ${DEFAULT-VALUE})")
    int logEvery;

    GptConfig config() { return shape.config(); }

    /**
     * --eval-tokens, or its default: a forward pass costs a third of a
     * training step per token, so N = eval-every B T / 8 is 1/24 of the
     * training flops between two evaluations (about 4%; fixed costs per evaluation batch make it more: at / 6 the crowded development machine measured 9-10%).
     */
    long evalTokens() {
        return evalTokens != null ? evalTokens : (long) evalEvery * shape.batch * shape.context / 8;
    }

    List<Long> seedList() {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < seeds; i++) out.add(seed + i);
        return out;
    }

    /** The experiment these options describe, printing its progress. */
    Experiment experiment(Backend b) {
        return new Experiment(b, config(), steps, shape.batch, mix(), evalEvery, evalTokens(), logEvery, System.out::println);
    }

    MixOptions mix() {
        return new MixOptions(round, lambdaValue, sketchSpec, eta == null ? Double.NaN : eta, probeSteps, evalExamples, 3, seed, 0f, Double.NaN, AbsentDomains.ZERO, java.util.List.of(), false, 0f);
    }

    /** The backend, with --attention applied (check() has parsed it). */
    Backend openBackend() {
        Backend b = Backends.fromOption(backend);
        AttentionOption.apply(b, attentionPath);
        return b;
    }

    /** Every option checked, by name, before anything is read, trained or written. */
    void check() {
        attentionPath = AttentionOption.parse(attention);
        atLeast(1, "--steps", steps, "--eval-every", evalEvery, "--train-size", trainSize, "--eval-size", evalSize,
                "--embed-dims", embedDims, "--round", round, "--probe-steps", probeSteps, "--eval-examples", evalExamples,
                "--batch", shape.batch, "--context", shape.context, "--layers", shape.layers, "--heads", shape.heads, "--width", shape.width);
        atLeast(0, "--log-every", logEvery);
        try {
            sketchSpec = SketchSpec.parse(sketch);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + e.getMessage());
        }
        atLeast(1, "--seeds", seeds);
        if (evalTokens != null && evalTokens < 0) {
            throw new IllegalArgumentException("--eval-tokens must be >= 0, got " + evalTokens);
        }
        if (shape.width % shape.heads != 0) {
            throw new IllegalArgumentException("--width " + shape.width + " must be a multiple of --heads " + shape.heads);
        }
        try {
            lambdaValue = MixOptions.parseLambda(lambda);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + e.getMessage());
        }
        if (eta != null && !(Double.isFinite(eta) && eta > 0)) {
            throw new IllegalArgumentException("--eta must be finite and > 0, got " + eta);
        }
        KSweep.parse(regroupK);
        if (eval != null && input == null) {
            throw new IllegalArgumentException("--eval needs --input");
        }
        if (input != null && eval == null && domainsFrom != null && Files.isDirectory(domainsFrom)) {
            throw new IllegalArgumentException("--domains-from " + domainsFrom + " is a folder (rnb regroup's output), which needs --eval: "
                    + "pass the evaluation file that rnb regroup was given, or one cluster id per line of --input as a file");
        }
        if (oracle && (input != null || domainsFrom != null)) {
            throw new IllegalArgumentException("--oracle applies to the built-in corpus without --domains-from (it uses the corpus's latent skill labels)");
        }
    }

    /** Pairs of (option name, value): each value must be at least {@code min}. */
    private static void atLeast(int min, Object... namesAndValues) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            int value = (Integer) namesAndValues[i + 1];
            if (value < min) {
                throw new IllegalArgumentException(namesAndValues[i] + " must be >= " + min + ", got " + value);
            }
        }
    }

    /** Lines describing how the regrouped domains were found (printed by the commands). */
    final List<String> notes = new ArrayList<>();

    /** Runs the Regroup stage and notes what it found. */
    private Grouping regroup(Backend b, ByteDataset train, ByteDataset held, int[] truth, Path out) {
        long t0 = System.nanoTime();
        Grouping.Regrouping r;
        String embedder;
        try (TextEmbedder e = embedding.open(out, embedDims, seed)) {
            r = Grouping.regroup(b, train, held, KSweep.parse(regroupK), e, false, seed);
            embedder = e.description();
        }
        StringBuilder sweep = new StringBuilder();
        for (KSweep.Row row : r.result().sweep().rows()) {
            sweep.append(String.format(Locale.ROOT, " k=%d:%.3f", row.k(), row.silhouette()));
        }
        notes.add(String.format(Locale.ROOT, "Regroup: %s embeddings, k-means, silhouette by k:%s -> k = %d (%.1f s)",
                embedder, sweep, r.result().k(), (System.nanoTime() - t0) / 1e9));
        if (truth != null) {
            notes.add(String.format(Locale.ROOT, "Regroup vs the latent skills (kept for scoring only): ARI %.3f, NMI %.3f",
                    ClusterAgreement.adjustedRandIndex(r.result().trainAssignments(), truth),
                    ClusterAgreement.normalizedMutualInformation(r.result().trainAssignments(), truth)));
        }
        return r.grouping();
    }

    /** The data: original domains first (when asked), then the regrouped domains (when asked: only then is Regroup run). */
    List<Grouping> groupings(Backend b, boolean original, boolean regrouped, Path outDir) throws IOException {
        List<Grouping> out = new ArrayList<>();
        if (input == null) {
            SyntheticCorpus.Split split = SyntheticCorpus.generate(seed, trainSize, evalSize);
            Grouping sources = Grouping.builtInOriginal(split);
            if (original) out.add(sources);
            if (!regrouped) return out;
            if (domainsFrom != null) {
                out.add(Grouping.fromFile(domainsFrom, sources.train(), sources.eval()));
            } else if (oracle) {
                out.add(Grouping.builtInOracle(split));
                notes.add("Regroup replaced by an oracle (--oracle): the corpus's latent skill labels are the domains");
            } else {
                int[] skills = split.train().stream().mapToInt(SyntheticCorpus.Example::skill).toArray();
                out.add(regroup(b, sources.train(), sources.eval(), skills, outDir));
            }
            return out;
        }
        ByteDataset all = TrainingCorpus.readTraining(input), train, held;
        int[] ids = domainsFrom == null ? null : Grouping.readIds(domainsFrom);
        int[] trainIds = null, heldIds = null;
        if (eval != null) {
            train = all;
            held = TrainingCorpus.readEvaluation(eval, train.domainNames());
            if (ids != null) {
                if (ids.length != train.size() + held.size()) {
                    throw new BadInputException(domainsFrom + ": has " + ids.length + " cluster ids; expected "
                            + train.size() + " (training) + " + held.size() + " (evaluation)");
                }
                trainIds = java.util.Arrays.copyOfRange(ids, 0, train.size());
                heldIds = java.util.Arrays.copyOfRange(ids, train.size(), ids.length);
            }
        } else {
            // Every 10th example is held out; a --domains-from file then has one id per line of --input.
            if (ids != null && ids.length != all.size()) {
                throw new BadInputException(domainsFrom + ": has " + ids.length + " cluster ids; expected one per example of "
                        + input + " (" + all.size() + ")");
            }
            List<TrainingExample> t = new ArrayList<>(), e = new ArrayList<>();
            List<Integer> ti = new ArrayList<>(), ei = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                boolean out10 = i % 10 == 9;
                (out10 ? e : t).add(all.get(i));
                if (ids != null) (out10 ? ei : ti).add(ids[i]);
            }
            if (e.isEmpty()) {
                throw new BadInputException(input + ": too few examples to hold out every 10th (need at least 10); pass --eval");
            }
            held = new ByteDataset(e, all.domainNames());
            train = new ByteDataset(t, all.domainNames());
            if (ids != null) {
                trainIds = ti.stream().mapToInt(Integer::intValue).toArray();
                heldIds = ei.stream().mapToInt(Integer::intValue).toArray();
            }
        }
        Grouping given = new Grouping("original (" + train.domains() + " domains of " + input.getFileName() + ")", train, held);
        if (original) out.add(given);
        if (regrouped) out.add(ids != null ? Grouping.fromAssignment(domainsFrom, train, held, trainIds, heldIds)
                : regroup(b, train, held, null, outDir));
        return out;
    }

    String settings(GptConfig c, long parameters) {
        return String.format(Locale.ROOT, "byte-level GPT, %d parameters (%d layers, width %d, %d heads, context %d); batch %d; %d steps; "
                        + "round K = %d; lambda = %s; %s; %d seed%s from %d; evaluation every %d steps on %s, final on the whole set; %s",
                parameters, c.layers(), c.channels(), c.heads(), c.context(), shape.batch, steps, round, lambda,
                sketchSpec.describe(), seeds, seeds == 1 ? "" : "s", seed, evalEvery,
                evalTokens() == 0 ? "the whole set" : "a fixed sample of about " + evalTokens() + " predicted bytes",
                input == null ? "built-in corpus (" + trainSize + " train / " + evalSize + " eval examples)" : "input " + input);
    }
}
