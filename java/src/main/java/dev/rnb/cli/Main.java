package dev.rnb.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The rnb command line. */
@Command(name = "rnb", mixinStandardHelpOptions = true, version = "rnb 0.1.0",
        description = "R&B data mixing: regroup a corpus into domains, balance the training mixture.",
        subcommands = {InfoCommand.class, DemoCommand.class, ExperimentCommand.class, RegroupCommand.class, TrainCommand.class, GpuBenchCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this). */
    public static int run(String... args) {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(Main::reportFailure)
                .execute(args);
    }

    /**
     * A failed command prints one line naming what went wrong, not a stack
     * trace (set RNB_DEBUG=1 for the trace), and exits with 2 for bad input.
     */
    private static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        cmd.getErr().println("rnb " + cmd.getCommandName() + ": " + e.getMessage());
        if (System.getenv("RNB_DEBUG") != null) {
            e.printStackTrace(cmd.getErr());
        }
        return e instanceof IllegalArgumentException ? 2 : 1;
    }
}
