package dev.rnb.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's --help renders cleanly: picocli formats descriptions with
 * String.format, so a bare '%' in one (e.g. "10% of a run") prints
 * "[picocli WARN] Could not format ..." on every call instead of the text.
 */
class HelpTextTest {
    @Test
    void everyCommandsHelpPrintsWithoutFormatWarnings() {
        CommandLine root = new CommandLine(new Main());
        assertFalse(root.getSubcommands().isEmpty());
        for (String command : root.getSubcommands().keySet()) {
            CliRun.Result r = CliRun.capture(command, "--help");
            assertEquals(0, r.code(), command + ": " + r.stderr());
            assertFalse(r.stderr().contains("WARN"), command + " --help warned: " + r.stderr());
            assertFalse(r.stdout().contains("%n"), command + " --help printed an unformatted description");
            assertTrue(r.stdout().contains("Usage: rnb " + command), r.stdout());
        }
    }
}
