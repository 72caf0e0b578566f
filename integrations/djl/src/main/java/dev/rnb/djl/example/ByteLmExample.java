package dev.rnb.djl.example;

import dev.rnb.cli.ExitCodes;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.SyntheticCorpus;
import dev.rnb.data.TrainingExample;
import dev.rnb.data.TrainingCorpus;
import dev.rnb.mix.Grouping;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Trains a small DJL byte-level language model on a corpus with domains,
 * once with the Stratified mixture (uniform over domains, fixed) and once
 * with R&amp;B, and prints the final evaluation loss and R&amp;B's measured
 * overhead. PyTorch engine on the CPU, libtorch from the Maven artifact,
 * DJL in offline mode.
 */
@Command(name = "rnb-djl-example", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a DJL byte-level language model with the Stratified mixture and with R&B.")
public final class ByteLmExample implements Callable<Integer> {
    @Option(names = "--input", paramLabel = "TRAIN.jsonl",
            description = "Training JSONL (field text, optional field domain). Default: the built-in corpus.")
    Path input;
    @Option(names = "--eval", paramLabel = "EVAL.jsonl",
            description = "Evaluation JSONL with the training set's domains. Default with --input: every 10th example.")
    Path eval;
    @Option(names = "--steps", description = "Training batches per run (default ${DEFAULT-VALUE}).")
    int steps = 400;
    @Option(names = "--batch", description = "Windows per batch (default ${DEFAULT-VALUE}).")
    int batch = 32;
    @Option(names = "--positions", description = "Predictions per window (default ${DEFAULT-VALUE}).")
    int positions = 32;
    @Option(names = "--context", description = "Bytes the model sees at each position (default ${DEFAULT-VALUE}).")
    int context = 8;
    @Option(names = "--embedding", description = "Embedding width per byte (default ${DEFAULT-VALUE}).")
    int embedding = 16;
    @Option(names = "--hidden", description = "Hidden width, the final layer's input (default ${DEFAULT-VALUE}).")
    int hidden = 128;
    @Option(names = "--lr", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    float lr = 3e-3f;
    @Option(names = "--round", description = "R&B: batches per round (default ${DEFAULT-VALUE}).")
    int round = 20;
    @Option(names = "--lambda", description = "R&B: softmax temperature (default ${DEFAULT-VALUE}).")
    float lambda = 3f;
    @Option(names = "--backend", description = "rnb backend: auto, cpu, cuda, ... (default ${DEFAULT-VALUE}).")
    String backend = "auto";
    @Option(names = "--methods", split = ",", description = "stratified, rnb or both (default ${DEFAULT-VALUE}).")
    List<String> methods = List.of("stratified", "rnb");
    @Option(names = "--train-examples", description = "Built-in corpus: training examples (default ${DEFAULT-VALUE}).")
    int trainExamples = 8000;
    @Option(names = "--eval-examples", description = "Built-in corpus: evaluation examples (default ${DEFAULT-VALUE}).")
    int evalExamples = 1000;
    @Option(names = "--seed", description = "Seed of data, initialisation and sampling (default ${DEFAULT-VALUE}).")
    long seed = 1;

    private final PrintStream out;

    public ByteLmExample() {
        this(System.out);
    }

    ByteLmExample(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the example; returns the exit code (errors are one line on {@code err}). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        // Before DJL's first class loads: never reach the network, log warnings only, and not
        // the one about CUDA libraries without a driver (this example runs on the CPU)
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        CommandLine cli = new CommandLine(new ByteLmExample(out));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println("rnb-djl-example: " + e.getMessage());
            return ExitCodes.of(e);
        });
        return cli.execute(args);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    @Override
    public Integer call() throws IOException {
        for (String m : methods) {
            if (!m.equals("stratified") && !m.equals("rnb")) {
                throw new IllegalArgumentException("--methods: unknown method '" + m + "'; choose stratified, rnb");
            }
        }
        Corpus corpus = load();
        ByteWindows train = ByteWindows.cut(corpus.train(), positions, context, "training data");
        ByteWindows test = ByteWindows.cut(corpus.eval(), positions, context, "evaluation data");
        ByteLmRun.Shape shape = new ByteLmRun.Shape(steps, batch, positions, context, embedding, hidden, lr, round,
                lambda, backend, seed);
        out.printf(Locale.ROOT, "corpus: %s; %d training and %d evaluation windows of %d bytes%n",
                corpus.label(), train.windows(), test.windows(), positions);
        List<String> names = corpus.train().domainNames();
        float[] p = test.proportions();
        for (int d = 0; d < names.size(); d++) {
            out.printf(Locale.ROOT, "  domain %-20s train windows %6d   eval share %.3f%n", names.get(d),
                    count(train.domainOfWindow(), d), p[d]);
        }
        out.printf(Locale.ROOT, "model: byte MLP, context %d, embedding %d, hidden %d; %d steps of %d windows; "
                + "DJL PyTorch engine on the CPU%n", context, embedding, hidden, steps, batch);
        List<ByteLmRun.Result> results = new ArrayList<>();
        for (String method : methods) {
            ByteLmRun.Result r = ByteLmRun.train(method, train, test, shape);
            results.add(r);
            out.printf(Locale.ROOT, "%-10s eval loss %.4f nats/byte | training %.1f s%s%n", r.method(), r.evalLoss(),
                    r.trainNanos() / 1e9, r.method().equals("rnb") ? String.format(Locale.ROOT,
                            " | R&B overhead %.0f ms (%.1f%%) on %s, %d rounds", r.overheadNanos() / 1e6,
                            100.0 * r.overheadNanos() / r.trainNanos(), r.backend(), r.rounds()) : "");
        }
        printTable(names, results);
        return 0;
    }

    private void printTable(List<String> names, List<ByteLmRun.Result> results) {
        out.println();
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-22s", "eval loss by domain"));
        for (ByteLmRun.Result r : results) {
            header.append(String.format(Locale.ROOT, "%12s", r.method()));
        }
        out.println(header);
        for (int d = 0; d < names.size(); d++) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-22s", names.get(d)));
            for (ByteLmRun.Result r : results) {
                line.append(String.format(Locale.ROOT, "%12.4f", r.evalLossByDomain()[d]));
            }
            out.println(line);
        }
        for (ByteLmRun.Result r : results) {
            if (r.method().equals("rnb")) {
                StringBuilder line = new StringBuilder("R&B's final proportions:");
                for (int d = 0; d < names.size(); d++) {
                    line.append(String.format(Locale.ROOT, " %s %.3f", names.get(d), r.finalProportions()[d]));
                }
                out.println(line);
            }
        }
    }

    private static int count(int[] values, int v) {
        int n = 0;
        for (int x : values) {
            if (x == v) n++;
        }
        return n;
    }

    /** Training and evaluation examples with their domains, and what they are. */
    private record Corpus(String label, ByteDataset train, ByteDataset eval) {}

    private Corpus load() throws IOException {
        if (input == null) {
            if (eval != null) {
                throw new IllegalArgumentException("--eval needs --input");
            }
            Grouping g = Grouping.builtInOracle(SyntheticCorpus.generate(seed, trainExamples, evalExamples));
            return new Corpus("built-in, " + g.label(), g.train(), g.eval());
        }
        ByteDataset all = TrainingCorpus.readTraining(input);
        if (eval != null) {
            return new Corpus(input + " (evaluation " + eval + ")", all, TrainingCorpus.readEvaluation(eval, all.domainNames()));
        }
        List<TrainingExample> trainPart = new ArrayList<>(), evalPart = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            (i % 10 == 9 ? evalPart : trainPart).add(all.get(i));
        }
        return new Corpus(input + " (every 10th example held out)", new ByteDataset(trainPart, all.domainNames()),
                new ByteDataset(evalPart, all.domainNames()));
    }
}
