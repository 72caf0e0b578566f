package dev.rnb.cli;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.mix.ScaleReport;
import dev.rnb.mix.ScaleRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** R&amp;B's per-round time and memory against the number of domains (docs/SCALING.md §3). */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = {"Time and memory of every stage of an R&B round against the number of domains k = 10^min .. 10^max,",
                "on random data: prints a markdown table with log-log slopes and writes it with a log-log PNG to --out."})
final class ScaleCommand implements Callable<Integer> {

    @Option(names = "--max-exponent", defaultValue = "6", description = "Largest k = 10^N (default: ${DEFAULT-VALUE})")
    int maxExponent;

    @Option(names = "--min-exponent", defaultValue = "2", description = "Smallest k = 10^N; 1 puts k = 10 beside 10^6 in one process "
            + "(the sampler's draw rows; default: ${DEFAULT-VALUE})")
    int minExponent;

    @Option(names = "--hidden", defaultValue = "8", description = "h of the per-domain gradients, d = v x h (default: ${DEFAULT-VALUE})")
    int hidden;

    @Option(names = "--vocab", defaultValue = "8", description = "v of the per-domain gradients (default: ${DEFAULT-VALUE})")
    int vocab;

    @Option(names = "--batch", defaultValue = "16", description = "Sequences per step, each of one domain (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--context", defaultValue = "64", description = "Rows per sequence (default: ${DEFAULT-VALUE})")
    int context;

    @Option(names = "--round", defaultValue = "20", description = "K: steps per round (default: ${DEFAULT-VALUE})")
    int round;

    @Option(names = "--sketch", defaultValue = "1024", description = "r: floats per domain of the whole sketched round (default: ${DEFAULT-VALUE})")
    int sketch;

    @Option(names = "--reps", defaultValue = "5", description = "Timed rounds per k, medians reported (default: ${DEFAULT-VALUE})")
    int reps;

    @Option(names = "--warmup", defaultValue = "60", description = "Untimed rounds per k before the timed ones: the once-a-round code "
            + "(end of round, sampler rebuild) is compiled by the JVM only after a few dozen rounds, as in a long run; "
            + "2 times it mostly interpreted, as in a run of a few rounds (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--memory-gib", defaultValue = "24", description = "Memory for the accumulators in the crossover table (default: ${DEFAULT-VALUE})")
    double memoryGib;

    @Option(names = "--backend", defaultValue = "cpu", description = "Backend (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--out", defaultValue = "rnb-scale", paramLabel = "DIR", description = "Output folder: scaling.md, scaling.png (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!(memoryGib > 0)) {
            System.err.println("rnb scale: --memory-gib must be > 0, got " + memoryGib);
            return ExitCodes.BAD_OPTIONS;
        }
        if (sketch < 1) {
            System.err.println("rnb scale: --sketch must be >= 1, got " + sketch);
            return ExitCodes.BAD_OPTIONS;
        }
        if (warmup < 0) {
            System.err.println("rnb scale: --warmup must be >= 0, got " + warmup);
            return ExitCodes.BAD_OPTIONS;
        }
        if (maxExponent < 3 || maxExponent > 7) {
            System.err.println("rnb scale: --max-exponent must be in 3..7, got " + maxExponent);
            return ExitCodes.BAD_OPTIONS;
        }
        if (minExponent < 1 || minExponent > maxExponent) {
            System.err.println("rnb scale: --min-exponent must be in 1.." + maxExponent + " (--max-exponent), got " + minExponent);
            return ExitCodes.BAD_OPTIONS;
        }
        OutputFolder.prepare(out);
        List<ScaleRun.Point> points = new ArrayList<>();
        int corpus = (int) Math.round(Math.pow(10, maxExponent)); // N: the corpus rows' one corpus, split into every k
        long dimension;
        try (Backend b = Backends.open(backend)) {
            ScaleRun run = new ScaleRun(b, hidden, vocab, batch, context, round, reps, sketch, warmup, corpus);
            dimension = run.dimension();
            // An untimed pass over the smallest k first: else that k's rows are timed while the JIT is still compiling
            // (the first k measured came out up to 2x slower than the next in the sampler's draw rows).
            run.measure((int) Math.round(Math.pow(10, minExponent)));
            for (int e = minExponent; e <= maxExponent; e++) {
                int k = (int) Math.round(Math.pow(10, e));
                points.add(run.measure(k));
                System.err.printf(Locale.ROOT, "k = %d measured%n", k);
            }
        }
        ScaleReport report = new ScaleReport(points, dimension);
        String load = String.format(Locale.ROOT, "load average %.1f on %d cores; heap on transparent huge pages: %s",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors(), heapHugePages());
        int[][] shapes = {{vocab, hidden}, {256, 64}, {50257, 768}}; // this run's, rnb's default model, GPT-2 small
        String text = String.format(Locale.ROOT, "backend %s, d = v x h = %d x %d, K = %d steps of %d sequences x %d rows, "
                        + "whole round sketched with r = %d, medians of %d rounds after %d untimed; corpus rows: one corpus of N = %d documents, "
                        + "document i in domain i mod k; %s%n%n%s%n%s", backend, vocab, hidden, round, batch, context,
                sketch, reps, warmup, corpus, load,
                report.markdown(), ScaleReport.crossover((long) (memoryGib * (1L << 30)), round * batch, 1024, shapes));
        System.out.print(text);
        Path table = out.resolve("scaling.md"), chart = out.resolve("scaling.png");
        OutputFolder.write(table, () -> Files.writeString(table, text, StandardCharsets.UTF_8));
        OutputFolder.write(chart, () -> {
            try {
                report.writePng(chart);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        });
        return ExitCodes.OK;
    }

    /**
     * Whether this JVM runs its heap on transparent huge pages ({@code java
     * -XX:+UseTransparentHugePages}): at 10^5 domains and more it moves the
     * draw rows by a fifth (docs/scaling/round-cost-journal.md), so a table
     * says which it was. "unknown" on a JVM without HotSpot's diagnostic bean.
     */
    static String heapHugePages() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean bean = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            if (bean == null) return "unknown";
            return Boolean.parseBoolean(bean.getVMOption("UseTransparentHugePages").getValue()) ? "on" : "off";
        } catch (IllegalArgumentException | UnsupportedOperationException e) { // no such bean or option on this JVM
            return "unknown";
        }
    }
}
