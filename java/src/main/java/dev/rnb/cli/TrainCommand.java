package dev.rnb.cli;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.cuda.AttentionPath;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.TrainingCorpus;
import dev.rnb.model.GptConfig;
import dev.rnb.train.Checkpoint;
import dev.rnb.train.Evaluation;
import dev.rnb.train.LossCurve;
import dev.rnb.train.TrainOptions;
import dev.rnb.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Trains the byte-level GPT on a JSONL corpus, with periodic evaluation, checkpoints and a loss curve. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train the byte-level GPT on JSONL text ({\"text\": ..., \"domain\": ...} per line).",
                "Writes DIR/checkpoint.bin, DIR/metrics.csv and DIR/loss.png."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, paramLabel = "TRAIN.jsonl", description = "Training data")
    Path input;

    @Option(names = "--eval", paramLabel = "EVAL.jsonl", description = "Held-out data (domains as in the training data)")
    Path eval;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder")
    Path out;

    @Option(names = "--steps", defaultValue = "300", description = "Optimiser steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--backend", defaultValue = "auto", description = "auto (rnb.backend / RNB_BACKEND, else cuda, cpu, reference), or one of those and cuda-emulated (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--attention", paramLabel = "kernels|cudnn", description = AttentionOption.DESCRIPTION)
    String attention;

    @Mixin
    ModelShapeOptions shape;

    @Option(names = "--lr", defaultValue = "3e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE})")
    float lr;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation and sampling (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--log-every", defaultValue = "10", description = "Steps between progress lines (default: ${DEFAULT-VALUE})")
    int logEvery;

    @Option(names = "--eval-every", defaultValue = "50", description = "Steps between evaluations (default: ${DEFAULT-VALUE})")
    int evalEvery;

    @Option(names = "--checkpoint-every", defaultValue = "100", description = "Steps between checkpoints (default: ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", description = "Continue from a checkpoint of the same model shape and batch")
    Path resume;

    @Spec
    CommandSpec spec;

    /**
     * Checks everything that can be checked before anything is written:
     * options, then the input files, then the checkpoint, then that the
     * output folder takes files, then the backend. A run that fails leaves no
     * half-written file: checkpoints, metrics.csv and loss.png are each
     * written to a temporary file and renamed into place.
     */
    @Override
    public Integer call() throws IOException {
        if (logEvery < 1 || evalEvery < 1 || checkpointEvery < 1) {
            throw new IllegalArgumentException("--log-every, --eval-every and --checkpoint-every must be >= 1");
        }
        if (eval == null && spec.commandLine().getParseResult().hasMatchedOption("--eval-every")) {
            throw new IllegalArgumentException("--eval-every needs --eval (there is nothing to evaluate)");
        }
        if (resume != null && resume.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--resume and --input name the same file");
        }
        AttentionPath attentionPath = AttentionOption.parse(attention);
        GptConfig config = shape.config();
        TrainOptions options = new TrainOptions(steps, shape.batch, lr, Math.max(1, steps / 10), 0.1f, 0.1f, 0.9f, 0.95f, 1e-8f, 1f, seed);
        ByteDataset train = TrainingCorpus.readTraining(input);
        ByteDataset held = eval == null ? null : TrainingCorpus.readEvaluation(eval, train.domainNames());
        Checkpoint restored = null;
        if (resume != null) {
            restored = Checkpoint.read(resume);
            restored.checkCompatible(resume, config, shape.batch);
            if (restored.step() > steps) {
                throw new IllegalArgumentException("--steps " + steps + " is below the checkpoint's step " + restored.step());
            }
        }
        OutputFolder.prepare(out);
        Path checkpoint = out.resolve("checkpoint.bin");
        LossCurve curve = new LossCurve();
        StringBuilder metrics = new StringBuilder("step,train_loss,eval_loss\n");
        try (Backend b = Backends.fromOption(backend);
             Trainer trainer = new Trainer(b, config, options, train)) {
            AttentionOption.apply(b, attentionPath);
            if (restored != null) {
                trainer.restore(restored, resume, null);
            }
            System.out.printf(Locale.ROOT, "rnb train: %s | %d examples in %d domains%s | %d parameters (%d layers, width %d, %d heads, context %d) | batch %d | steps %d..%d%n",
                    b.describe(), train.size(), train.domains(), held == null ? "" : ", " + held.size() + " held out",
                    trainer.model().layout().size(), shape.layers, shape.width, shape.heads, shape.context, shape.batch, trainer.step() + 1, steps);
            long start = System.nanoTime();
            int first = trainer.step();
            double window = 0;
            int inWindow = 0;
            while (trainer.step() < steps) {
                float loss = trainer.trainStep();
                int step = trainer.step();
                curve.addTrain(step, loss);
                metrics.append(String.format(Locale.ROOT, "%d,%.6f,%n", step, loss));
                window += loss;
                inWindow++;
                if (step % logEvery == 0 || step == steps) {
                    double seconds = (System.nanoTime() - start) / 1e9;
                    int done = step - first;
                    double tokensPerSecond = (double) done * shape.batch * shape.context / Math.max(1e-9, seconds);
                    double eta = seconds / done * (steps - step);
                    System.out.printf(Locale.ROOT, "step %d/%d | loss %.4f | lr %.2e | %.0f tok/s | ETA %s%n",
                            step, steps, window / inWindow, options.learningRate(step), tokensPerSecond, duration(eta));
                    window = 0;
                    inWindow = 0;
                }
                if (held != null && (step % evalEvery == 0 || step == steps)) {
                    Evaluation e = trainer.evaluate(held);
                    curve.addEval(step, e.loss());
                    metrics.append(String.format(Locale.ROOT, "%d,,%.6f%n", step, e.loss()));
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "eval step %d | loss %.4f", step, e.loss()));
                    for (int d = 0; d < held.domains(); d++) {
                        if (e.domainTargets()[d] > 0) {
                            line.append(String.format(Locale.ROOT, " | %s %.4f", held.domainNames().get(d), e.domainLoss()[d]));
                        }
                    }
                    System.out.println(line);
                }
                if (step % checkpointEvery == 0 || step == steps) {
                    OutputFolder.write(checkpoint, () -> trainer.save(checkpoint, new byte[0]));
                }
            }
        }
        Path metricsFile = out.resolve("metrics.csv");
        OutputFolder.write(metricsFile, () -> writeAtomically(metricsFile, metrics.toString().getBytes(StandardCharsets.UTF_8)));
        OutputFolder.write(out.resolve("loss.png"), () -> curve.writePng(out.resolve("loss.png"), "rnb train: byte-level GPT", 900, 500));
        System.out.println("wrote " + checkpoint + ", " + metricsFile + ", " + out.resolve("loss.png"));
        return 0;
    }

    private static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, content);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
