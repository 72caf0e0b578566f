package dev.rnb.mix;

import dev.rnb.data.DomainProportions;
import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mixture-rounds.csv: a row per mixture a run put in force, its largest
 * proportion, effective number of domains and L1 change, against hand values
 * for a run that locks onto one of k domains (k fresh each run, sparse p').
 */
class MixtureRoundsCsvTest {

    private static RunResult run(String method, String grouping, long seed, int k, List<RunResult.Proportions> history) {
        List<String> names = Collections.nCopies(k, "d");
        return new RunResult(method, grouping, seed, 1.0, names, new double[k], List.of(new double[] {0, 1.0}), history,
                1, 0, 0, 0, 0, 1, 0);
    }

    @Test
    void aRunThatLocksOntoOneDomain(@TempDir Path dir) throws IOException {
        Rng rng = new Rng();
        int k = 2 + rng.nextInt(1_000_000);
        int d = rng.nextInt(k);
        float[] on = {0.5f, 0.999f};
        List<RunResult.Proportions> history = new ArrayList<>();
        history.add(new RunResult.Proportions(0, DomainProportions.uniform(k)));
        for (int r = 0; r < on.length; r++) {
            history.add(new RunResult.Proportions(20 * (r + 1), DomainProportions.sparse(k, new int[] {d}, new float[] {on[r]}, (1 - on[r]) / (k - 1))));
        }
        List<RunResult> runs = List.of(run("stratified", "original", 3, k, List.of()), run("rnb:lambda=16", "regrouped (k, with a comma)", 3, k, history));
        new ExperimentReport(runs).writeMixtureRounds(dir.resolve(ExperimentReport.MIXTURE_ROUNDS));
        List<String> lines = Files.readAllLines(dir.resolve(ExperimentReport.MIXTURE_ROUNDS));
        assertEquals("method,grouping,seed,step,largest,effective_domains,l1_change", lines.get(0));
        assertEquals(4, lines.size(), "a header and one row per mixture; the static run put none in force after its start: " + lines);
        String prefix = "rnb:lambda=16,\"regrouped (k, with a comma)\",3,";
        // Step 0: uniform, every domain 1/k.
        check(lines.get(1), prefix, 0, 1.0 / k, k, Double.NaN, rng + ", k = " + k);
        double before = 1.0 / k;
        for (int r = 0; r < on.length; r++) {
            double p = on[r], rest = (1 - p) / (k - 1);
            double entropy = -p * Math.log(p) - (1 - p) * Math.log(rest);
            double l1 = Math.abs(p - (r == 0 ? before : on[r - 1])) + (k - 1) * Math.abs(rest - (r == 0 ? before : (1 - on[r - 1]) / (k - 1)));
            check(lines.get(2 + r), prefix, 20 * (r + 1), Math.max(p, rest), Math.exp(entropy), l1, rng + ", k = " + k + ", round " + r);
        }
    }

    private static void check(String line, String prefix, int step, double largest, double effective, double l1, String label) {
        assertTrue(line.startsWith(prefix + step + ","), label + ": " + line);
        String[] f = line.substring(prefix.length()).split(",", -1);
        assertEquals(4, f.length, label + ": " + line);
        assertEquals(largest, Double.parseDouble(f[1]), 1e-5 * largest, label + ": largest");
        assertEquals(effective, Double.parseDouble(f[2]), 1e-5 * effective, label + ": effective domains");
        if (Double.isNaN(l1)) assertEquals("", f[3], label + ": no change for the first mixture");
        else assertEquals(l1, Double.parseDouble(f[3]), 1e-5 * Math.max(l1, 1e-3), label + ": L1 change");
    }
}
