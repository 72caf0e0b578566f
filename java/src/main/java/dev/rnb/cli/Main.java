package dev.rnb.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The rnb command line. */
@Command(name = "rnb", mixinStandardHelpOptions = true, version = "rnb 0.1.0",
        description = "R&B data mixing: regroup a corpus into domains, balance the training mixture.",
        subcommands = {InfoCommand.class, DemoCommand.class, ExperimentCommand.class, RegroupCommand.class, ScaleCommand.class, TrainCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(commandLine(), args));
    }

    /** Runs the CLI and returns the exit code (tests call this). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The rnb commands with their failure reporting; the GPU bundle adds its gpu-bench command to them. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(Main::reportFailure)
                .setParameterExceptionHandler(Main::reportUsageError);
    }

    /** Runs {@code cli} and returns the exit code; running out of memory is one line too. */
    public static int execute(CommandLine cli, String... args) {
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println("rnb: out of memory (" + e.getMessage() + "); use a smaller --batch, or a larger -Xmx");
            return ExitCodes.OUT_OF_MEMORY;
        }
    }

    /**
     * A failed command prints one line naming what went wrong, not a stack
     * trace (set RNB_DEBUG=1 for the trace), and exits with the code of its
     * class of failure ({@link ExitCodes}).
     */
    private static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        cmd.getErr().println("rnb " + cmd.getCommandName() + ": " + oneLine(e));
        if (System.getenv("RNB_DEBUG") != null) {
            e.printStackTrace(cmd.getErr());
        }
        return ExitCodes.of(e);
    }

    /** A bad option is one line too (the usage is one --help away), exit {@link ExitCodes#BAD_OPTIONS}. */
    private static int reportUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName(" ");
        cmd.getErr().println(name + ": " + oneLine(e) + " (see " + name + " --help)");
        return ExitCodes.BAD_OPTIONS;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        } else if (ExitCodes.of(e) == ExitCodes.INTERNAL_ERROR) {
            m = e.getClass().getSimpleName() + ": " + m;
        }
        int newline = m.indexOf('\n');
        return newline < 0 ? m : m.substring(0, newline);
    }
}
