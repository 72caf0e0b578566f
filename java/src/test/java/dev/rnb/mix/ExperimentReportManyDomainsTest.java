package dev.rnb.mix;

import dev.rnb.data.DomainProportions;

import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report at many domains (issue #17): beyond {@link DomainLossSummary#MAX_DOMAIN_COLUMNS}
 * the per-domain table and results.csv hold a summary (quantiles, lowest and
 * highest domains) and domain-losses.csv every domain; at few domains a column each as before.
 */
class ExperimentReportManyDomainsTest {

    @Test
    void summaryMatchesAHandComputation() {
        Rng rng = new Rng();
        for (int trial = 0; trial < 20; trial++) {
            int k = 1 + rng.nextInt(trial < 10 ? 10 : 5000);
            double[] loss = new double[k];
            List<String> names = new ArrayList<>();
            List<Double> present = new ArrayList<>();
            for (int d = 0; d < k; d++) {
                names.add("c" + d);
                loss[d] = rng.nextInt(5) == 0 ? Double.NaN : rng.nextDouble() * 3;
                if (!Double.isNaN(loss[d])) present.add(loss[d]);
            }
            DomainLossSummary s = new DomainLossSummary(names, loss);
            double[] sorted = present.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            assertEquals(sorted.length, s.domains());
            for (int q = 0; q < DomainLossSummary.QUANTILES.length; q++) {
                double want = sorted.length == 0 ? Double.NaN : handQuantile(sorted, DomainLossSummary.QUANTILES[q]);
                assertEquals(want, s.quantiles()[q], 1e-12, rng + ": quantile " + DomainLossSummary.QUANTILE_NAMES[q]);
            }
            int named = Math.min(DomainLossSummary.NAMED, sorted.length);
            assertEquals(named, s.lowest().size());
            for (int i = 0; i < named; i++) {
                assertEquals(sorted[i], Double.parseDouble(s.lowest().get(i).split("=")[1]), 1e-4);
                assertEquals(sorted[sorted.length - 1 - i], Double.parseDouble(s.highest().get(i).split("=")[1]), 1e-4);
                int d = Integer.parseInt(s.lowest().get(i).split("=")[0].substring(1));
                assertEquals(sorted[i], loss[d], 1e-4, "the name is the lowest domain's");
            }
        }
    }

    /** By the definition: the order statistic at q (n - 1), linearly interpolated; sorted ascending. */
    private static double handQuantile(double[] sorted, double q) {
        double at = q * (sorted.length - 1);
        int below = (int) at;
        return below + 1 < sorted.length ? sorted[below] + (at - below) * (sorted[below + 1] - sorted[below]) : sorted[below];
    }

    @Test
    void aMillionDomainsAreSummarisedAndWrittenInFull(@TempDir Path dir) throws IOException {
        int k = 1_000_000;
        List<String> names = new ArrayList<>(k);
        for (int d = 0; d < k; d++) names.add("c" + d);
        names.set(7, "odd, \"name\"");
        List<RunResult> runs = new ArrayList<>();
        for (String method : List.of("stratified", "rnb")) {
            for (long seed = 1; seed <= 2; seed++) {
                double[] loss = new double[k];
                // Domain d's mean over the two seeds is 1 + d / (k - 1): min 1, median 1.5, max 2; domain 3 has no loss.
                for (int d = 0; d < k; d++) loss[d] = 1 + (double) d / (k - 1) + (seed == 1 ? 0.25 : -0.25);
                loss[3] = Double.NaN;
                float[] p = new float[k];
                Arrays.fill(p, 1f / k);
                runs.add(new RunResult(method, "regrouped", seed, 1.5, names, loss, List.of(new double[] {0, 1.6}, new double[] {10, 1.5}),
                        method.equals("rnb") ? List.of(new RunResult.Proportions(0, DomainProportions.uniform(k)), new RunResult.Proportions(10, DomainProportions.dense(p))) : List.of(),
                        1, 0, 0, 0, 0, 1, 0));
            }
        }
        new ExperimentReport(runs).write(dir, "a million domains", "settings");

        String table = Files.readString(dir.resolve(ExperimentReport.TABLE));
        for (String line : table.split("\n")) assertTrue(line.length() < 1000, "a table line of " + line.length() + " characters");
        assertTrue(table.contains("## Per-domain evaluation loss: regrouped (1000000 domains, each domain's mean over seeds, summarised; every domain in domain-losses.csv)"), table);
        assertTrue(table.contains("| method | domains with a loss | min | 10% | median | 90% | max | lowest 3 | highest 3 |"), table);
        String row = table.lines().filter(l -> l.startsWith("| R&B")).reduce((a, b) -> b).orElseThrow();
        String[] cells = row.split(" \\| ");
        assertEquals("999999", cells[1]);
        assertEquals(1.0, Double.parseDouble(cells[2]), 1e-4);
        assertEquals(1.5, Double.parseDouble(cells[4]), 1e-4);
        assertEquals(2.0, Double.parseDouble(cells[6]), 1e-4);
        assertTrue(cells[7].startsWith("c0=1.0000 c1=1.0000 c2=1.0000"), cells[7]);
        assertTrue(cells[8].startsWith("c999999=2.0000"), cells[8]);
        String html = Files.readString(dir.resolve(ExperimentReport.HTML));
        assertTrue(html.length() < 100_000, "report.html has " + html.length() + " characters");
        assertTrue(html.contains("<a href=\"domain-losses.csv\">"), html);

        List<String> csv = Files.readAllLines(dir.resolve(ExperimentReport.CSV));
        assertEquals(5, csv.size());
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",");
            assertEquals(12, f.length, line);
            assertTrue(f[11].startsWith("domains=999999;min="), f[11]);
        }

        try (BufferedReader in = Files.newBufferedReader(dir.resolve(ExperimentReport.DOMAIN_LOSSES))) {
            assertEquals("method,grouping,seed,domain,eval_loss", in.readLine());
            long lines = 0;
            for (String line = in.readLine(); line != null; line = in.readLine(), lines++) {
                int d = (int) (lines % k);
                long seed = 1 + (lines / k) % 2;
                if (d == 3) assertTrue(line.endsWith(",NaN"), line);
                else if (d == 7) assertTrue(line.endsWith(",\"odd, \"\"name\"\"\"," + (1 + 7.0 / (k - 1) + (seed == 1 ? 0.25 : -0.25))), line);
                else if (d % 99_991 == 0) {
                    assertEquals((lines < 2L * k ? "stratified" : "rnb") + ",regrouped," + seed + ",c" + d + ","
                            + (1 + (double) d / (k - 1) + (seed == 1 ? 0.25 : -0.25)), line);
                }
            }
            assertEquals(4L * k, lines);
        }
    }

    @Test
    void fewDomainsKeepAColumnEach(@TempDir Path dir) throws IOException {
        List<String> names = List.of("a", "b", "c");
        List<RunResult> runs = List.of(new RunResult("stratified", "original", 1, 1.2, names, new double[] {1.1, 1.2, 1.3},
                List.of(new double[] {0, 1.3}), List.of(), 1, 0, 0, 0, 0, 1, 0));
        new ExperimentReport(runs).write(dir, "few", "settings");
        String table = Files.readString(dir.resolve(ExperimentReport.TABLE));
        assertTrue(table.contains("| method | a | b | c |"), table);
        assertFalse(table.contains("domains with a loss"), table);
        assertTrue(Files.readAllLines(dir.resolve(ExperimentReport.CSV)).get(1).endsWith(",a=1.100000;b=1.200000;c=1.300000"));
        assertEquals(List.of("method,grouping,seed,domain,eval_loss", "stratified,original,1,a,1.1", "stratified,original,1,b,1.2",
                "stratified,original,1,c,1.3"), Files.readAllLines(dir.resolve(ExperimentReport.DOMAIN_LOSSES)));
    }
}
