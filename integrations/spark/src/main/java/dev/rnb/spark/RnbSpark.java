package dev.rnb.spark;

import dev.rnb.cli.ExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.UncheckedIOException;

/** The rnb-spark.jar main class: {@code spark-submit --class dev.rnb.spark.RnbSpark rnb-spark.jar regroup ...}. */
@Command(name = "rnb-spark", mixinStandardHelpOptions = true, version = "rnb-spark 0.1.0",
        description = "rnb's Spark jobs.", subcommands = {RegroupJobCommand.class})
public final class RnbSpark implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command and returns its exit code (tests call this; an active SparkSession is reused, not stopped). */
    public static int run(String... args) {
        return new CommandLine(new RnbSpark())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    Throwable cause = rootCause(e);
                    cmd.getErr().println("rnb-spark " + cmd.getCommandName() + ": " + oneLine(cause));
                    if (System.getenv("RNB_DEBUG") != null) e.printStackTrace(cmd.getErr());
                    return cause instanceof UncheckedIOException ? ExitCodes.OUTPUT_NOT_WRITABLE : ExitCodes.of(cause);
                })
                .setParameterExceptionHandler((e, args2) -> {
                    e.getCommandLine().getErr().println("rnb-spark: " + oneLine(e));
                    return ExitCodes.BAD_OPTIONS;
                })
                .execute(args);
    }

    /**
     * The failure to report: a task's exception arrives wrapped in Spark's
     * "Job aborted due to stage failure" with the task's own exception as its
     * cause; the innermost rnb or argument exception is the one that says what
     * is wrong.
     */
    static Throwable rootCause(Throwable e) {
        Throwable found = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof UncheckedIOException) {
                found = t;
            }
        }
        return found;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = m.indexOf('\n');
        return newline >= 0 ? m.substring(0, newline) : m;
    }
}
