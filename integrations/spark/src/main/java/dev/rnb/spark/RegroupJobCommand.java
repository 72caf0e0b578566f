package dev.rnb.spark;

import dev.rnb.cli.KSweepOptions;
import dev.rnb.regroup.KSweep;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** rnb-spark regroup: {@code rnb regroup} as a Spark job (options named and defaulted as there). */
@Command(name = "regroup", mixinStandardHelpOptions = true,
        description = "Regroup a corpus into semantic domains on Spark: embed partition-wise, sweep k (rnb's k-means++ seeds on a driver sample, MLlib's Lloyd iterations over every document), "
                + "keep the best silhouette, assign evaluation documents to the nearest training centroid. "
                + "Writes the files of `rnb regroup` into --out on the driver.")
final class RegroupJobCommand implements Callable<Integer> {

    @Option(names = {"--train", "--input"}, required = true, description = "Training corpus (--input is the same option): a .jsonl/.json/.ndjson or .parquet file, a directory of them, or a glob; any Hadoop file system")
    String train;

    @Option(names = "--eval", description = "Evaluation corpus (same forms); without it, about --eval-fraction of --train is held out by a seeded hash of each record's position")
    String eval;

    @Option(names = "--eval-fraction", defaultValue = "0.1", description = "Held-out fraction without --eval (default: ${DEFAULT-VALUE})")
    double evalFraction;

    @Option(names = "--out", required = true, description = "Output directory on the driver's file system")
    Path out;

    @Option(names = "--text-field", defaultValue = "text", description = "Field (JSONL) or column (Parquet) with the text (default: ${DEFAULT-VALUE})")
    String textField;

    @Option(names = "--domain-field", defaultValue = "domain", description = "Optional field or column with the original domain (default: ${DEFAULT-VALUE})")
    String domainField;

    @Option(names = "--dims", defaultValue = "256", description = "Dimensions of the built-in embedder (default: ${DEFAULT-VALUE})")
    int dims;

    @Option(names = "--tolerance", defaultValue = "1e-4", description = "Seeding on the driver stops when the inertia improves by less than this fraction, MLlib's iterations when no centroid moves farther (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Option(names = "--seed-sample", defaultValue = "50000", description = "rnb's k-means++ (with --restarts) seeds each k on the driver over all training documents up to this many, a seeded sample beyond; MLlib's Lloyd iterations then run over every document (default: ${DEFAULT-VALUE})")
    int seedSample;

    @Option(names = "--backend", defaultValue = "auto", description = "rnb backend for the silhouette on the driver (default: ${DEFAULT-VALUE})")
    String backend;

    @Mixin
    KSweepOptions sweep;

    @Option(names = "--master", description = "Spark master when not run by spark-submit, e.g. local[2]")
    String master;

    @Override
    public Integer call() {
        List<Integer> ks = KSweep.parse(sweep.k());
        if (dims < 1) throw new IllegalArgumentException("--dims must be >= 1, got " + dims);
        if (sweep.restarts() < 1) throw new IllegalArgumentException("--restarts must be >= 1, got " + sweep.restarts());
        if (sweep.maxIterations() < 1) throw new IllegalArgumentException("--max-iterations must be >= 1, got " + sweep.maxIterations());
        if (seedSample < 2) throw new IllegalArgumentException("--seed-sample must be >= 2, got " + seedSample);
        if (sweep.silhouetteSample() < 2) throw new IllegalArgumentException("--silhouette-sample must be >= 2, got " + sweep.silhouetteSample());
        if (!(evalFraction > 0 && evalFraction < 1)) throw new IllegalArgumentException("--eval-fraction must be in (0, 1), got " + evalFraction);
        if (!(tolerance >= 0)) throw new IllegalArgumentException("--tolerance must be >= 0, got " + tolerance);
        boolean running = SparkSession.getActiveSession().isDefined();
        SparkSession.Builder builder = SparkSession.builder().appName("rnb regroup");
        if (master != null) {
            builder.master(master);
        } else if (!running && !new SparkConf().contains("spark.master")) {
            throw new IllegalArgumentException("no Spark master: run through spark-submit, or pass --master local[N]");
        }
        SparkSession spark = builder.getOrCreate();
        try {
            SparkRegroup.Options o = new SparkRegroup.Options(train, eval, evalFraction, out, ks,
                    new DocumentReader.Fields(textField, domainField), dims, sweep.spherical(), sweep.maxIterations(), tolerance,
                    sweep.restarts(), seedSample, sweep.silhouetteSample(), sweep.seed(), backend);
            SparkRegroup.Outcome r = SparkRegroup.run(spark, o);
            for (KSweep.Row row : r.sweep()) {
                System.out.printf(Locale.ROOT, "  k=%d silhouette %.4f inertia %.6g iterations %d%n", row.k(), row.silhouette(), row.inertia(), row.iterations());
            }
            System.out.printf(Locale.ROOT, "%d train / %d eval documents on %s: read %.1f s, embedded %.1f s (%.0f documents/s), k sweep %.1f s, total %.1f s (%.0f documents/s)%n",
                    r.trainDocuments(), r.evalDocuments(), spark.sparkContext().master(), r.readSeconds(), r.embedSeconds(),
                    (r.trainDocuments() + r.evalDocuments()) / r.embedSeconds(), r.sweepSeconds(), r.totalSeconds(),
                    (r.trainDocuments() + r.evalDocuments()) / r.totalSeconds());
            System.out.printf(Locale.ROOT, "chose k = %d; wrote %s%n", r.k(), out);
        } finally {
            if (!running) {
                spark.stop();
            }
        }
        return 0;
    }
}
