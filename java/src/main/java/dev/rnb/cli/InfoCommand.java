package dev.rnb.cli;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BackendUnavailableException;
import dev.rnb.backend.Backends;
import dev.rnb.balance.RnbBalancer;
import dev.rnb.balance.RoundResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** Lists the backends found and runs one balance round on random data. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the backends found and run one R&B balance round on random data.")
final class InfoCommand implements Callable<Integer> {

    @Option(names = "--backend", description = "Backend for the demo round: auto, ${COMPLETION-CANDIDATES} (default: auto)",
            defaultValue = "auto")
    String backend;

    @Option(names = "--domains", defaultValue = "8", description = "Domains k (default: ${DEFAULT-VALUE})")
    int domains;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random data (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        System.out.println("Backends:");
        for (Backends.Probe p : Backends.probeAll()) {
            System.out.printf(Locale.ROOT, "  %-14s %-11s %s%n", p.name(), p.available() ? "available" : "unavailable", p.detail());
        }
        if (!backend.equalsIgnoreCase("auto")) {
            requireOpens(backend);
            System.setProperty("rnb.backend", backend);
        }
        int hidden = 64, vocab = 256, rows = 512;
        try (Backend b = Backends.select();
             RnbBalancer balancer = RnbBalancer.builder(b, domains, hidden, vocab).lambda(3f).build()) {
            SplittableRandom random = new SplittableRandom(seed);
            float[] h = new float[rows * hidden], e = new float[rows * vocab];
            int[] domainOfRow = new int[rows];
            for (int step = 0; step < 4; step++) {
                for (int i = 0; i < h.length; i++) h[i] = (float) random.nextGaussian();
                for (int i = 0; i < e.length; i++) e[i] = (float) random.nextGaussian() * 0.01f;
                for (int r = 0; r < rows; r++) domainOfRow[r] = random.nextInt(domains);
                balancer.accumulate(h, e, domainOfRow, rows);
            }
            RoundResult result = balancer.endRound();
            System.out.printf(Locale.ROOT, "%nOne balance round on %s (k=%d, h=%d, v=%d, 4 batches of %d rows): %s%n",
                    b.name(), domains, hidden, vocab, rows, result.status());
            StringBuilder line = new StringBuilder("p' =");
            for (float p : result.proportions()) line.append(String.format(Locale.ROOT, " %.4f", p));
            System.out.println(line);
        }
        return 0;
    }

    /** The named backend opens, or its full reason goes to stderr before the one-line failure. */
    private static void requireOpens(String name) {
        try (Backend ignored = Backends.open(name)) {
            // it opens
        } catch (BackendUnavailableException e) {
            System.err.println(name + " backend unavailable; full reason:");
            Backends.fullReason(e).lines().forEach(line -> System.err.println("  " + line));
            throw e;
        }
    }
}
