package dev.rnb.cli;

import dev.rnb.data.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExperimentCommandTest {
    @TempDir
    Path dir;

    static final String[] TINY = {"--backend", "cpu", "--batch", "4", "--context", "16", "--layers", "1", "--heads", "2",
            "--width", "16", "--train-size", "60", "--eval-size", "12", "--eval-examples", "6", "--probe-steps", "1",
            "--round", "2", "--eval-every", "2", "--log-every", "2", "--regroup-k", "2..4", "--embedder", "hashed", "--embed-dims", "32"};

    private static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static void assertPng(Path file) throws IOException {
        byte[] png = Files.readAllBytes(file);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4), file.toString());
    }

    /** Cells of the markdown table's data rows under the header that starts with "| method | eval loss". */
    private static List<String[]> mainTable(Path table) throws IOException {
        return table(table, "| method | eval loss");
    }

    /** Cells of the markdown table's data rows under the first header that starts with {@code headerStart}. */
    private static List<String[]> table(Path table, String headerStart) throws IOException {
        List<String> lines = Files.readAllLines(table);
        int header = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith(headerStart)) { header = i; break; }
        assertTrue(header >= 0, String.join("\n", lines));
        List<String[]> rows = new ArrayList<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String l = lines.get(i);
            rows.add(Arrays.stream(l.substring(1, l.length() - 1).split("\\|")).map(String::strip).toArray(String[]::new));
        }
        return rows;
    }

    @Test
    void experimentRunsTheGridAndWritesTheReport() throws IOException {
        Path out = dir.resolve("exp");
        String text = CliRun.run(0, concat(new String[] {"experiment"}, concat(TINY, "--steps", "4", "--seeds", "2", "--eval-tokens", "32", "--out", out.toString())));
        assertTrue(text.contains("run 24/24"), text);
        for (String f : List.of("results.csv", "table.md", "report.html")) assertTrue(Files.size(out.resolve(f)) > 0, f);
        assertPng(out.resolve("curves.png"));
        assertPng(out.resolve("curves-vs-stratified.png"));
        assertPng(out.resolve("rnb-proportions.png"));
        String table = Files.readString(out.resolve("table.md"));
        assertTrue(table.contains("| method | eval loss: original | eval loss: regrouped |\n"), table);
        assertTrue(table.contains("\n- regrouped: regrouped (k-means on hashed TF-IDF embeddings"), table);
        List<String[]> rows = mainTable(out.resolve("table.md"));
        assertEquals(List.of("Stratified", "Natural", "Skill-It", "Aioli", "DGA", "R&B"), rows.stream().map(r -> r[0]).toList());
        for (String[] r : rows) {
            assertEquals(3, r.length, String.join("|", r));
            for (int c = 1; c <= 2; c++) {
                String[] meanCi = r[c].split(" ± ");
                assertEquals(2, meanCi.length, r[c]);
                double loss = Double.parseDouble(meanCi[0]);
                assertTrue(loss > 0 && loss < 6, r[c]);
            }
        }
        // Every method but Stratified against Stratified on each grouping; each method regrouped vs original.
        List<String[]> paired = table(out.resolve("table.md"), "| grouping | method | loss − Stratified (mean)");
        assertEquals(2 * 5, paired.size());
        for (String[] r : paired) {
            assertTrue(r[4].matches("[0-2]/2"), r[4]);
            assertTrue(r[5].matches("(better than|worse than|not distinguishable from) Stratified"), r[5]);
            assertTrue(r[3].matches("\\[[-+]\\d\\.\\d{4}, [-+]\\d\\.\\d{4}\\]"), r[3]);
        }
        assertEquals(6, table(out.resolve("table.md"), "| grouping | method | loss − same method on original").size());
        assertTrue(table.contains("- R&B on regrouped: loss "), table);
        assertTrue(table.contains("- Stratified on regrouped: loss "), table);
        List<String[]> overhead = table(out.resolve("table.md"), "| method | overhead % measured: original |");
        assertEquals(6, overhead.size());
        assertEquals(0.0, Double.parseDouble(overhead.get(0)[3].split(" ± ")[0]), "Stratified does no extra work");
        assertTrue(Double.parseDouble(overhead.get(5)[4].split(" ± ")[0]) > 0, "R&B's counted flops");
        assertEquals(0.0, Double.parseDouble(overhead.get(0)[6].split(" ± ")[0]), "Stratified's cost model");
        assertTrue(Double.parseDouble(overhead.get(5)[6].split(" ± ")[0]) > 0, "R&B's cost model");
        assertTrue(table.contains("Evaluation cost: evaluations during training took "), table);
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(1 + 24, csv.size());
        assertTrue(csv.get(0).startsWith("method,grouping,seed,eval_loss,"));
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",");
            assertEquals(12, f.length, line);
            Double.parseDouble(f[3]);
        }
        List<String> mixtures = Files.readAllLines(out.resolve("mixture-rounds.csv"));
        assertEquals("method,grouping,seed,step,largest,effective_domains,l1_change", mixtures.get(0));
        assertTrue(mixtures.stream().anyMatch(l -> l.startsWith("rnb,original (3 sources),1,") && !l.endsWith(",")),
                "R&B's rounds after its first mixture, each with its L1 change: " + mixtures);
        for (String line : mixtures.subList(1, mixtures.size())) {
            String[] f = line.split(",", -1);
            double largest = Double.parseDouble(f[f.length - 3]), effective = Double.parseDouble(f[f.length - 2]);
            assertTrue(largest > 0 && largest <= 1 + 1e-6 && effective >= 1 - 1e-6, line);
        }
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<img src=\"curves.png\"") && html.contains("<img src=\"rnb-proportions.png\"")
                && html.contains("<img src=\"curves-vs-stratified.png\""), html);
        assertTrue(html.contains("<h2>Verdicts</h2>"), html);
        assertTrue(html.contains("regrouped (k-means on hashed TF-IDF embeddings, k by silhouette"), html);
        assertTrue(text.contains("Regroup: hashed TF-IDF (32 dims) embeddings, k-means, silhouette by k: k=2:"), text);
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")), "no temporary file is left behind");
        }
    }

    @Test
    void demoComparesStratifiedAndRnbOnRegroupedDomains() throws IOException {
        Path out = dir.resolve("demo");
        String text = CliRun.run(0, concat(new String[] {"demo"}, concat(TINY, "--steps", "4", "--seeds", "2", "--out", out.toString())));
        assertTrue(text.contains("Regroup vs the latent skills (kept for scoring only): ARI "), text);
        assertTrue(text.contains("domains: regrouped (k-means on hashed TF-IDF embeddings"), text);
        assertTrue(text.contains("rnb | step 4/4 | loss "), text);
        assertTrue(text.contains("final eval loss over 2 seeds (mean ± 95% CI): Stratified "), text);
        assertTrue(text.contains("R&B: loss ") && text.contains(" at this budget"), text);
        assertTrue(text.matches("(?s).*In short: (R&B won|R&B lost|R&B and Stratified could not be told apart).*"), text);
        assertTrue(text.contains("R&B's final proportions, seed 2:"), text);
        assertTrue(text.contains("R&B overhead: "), text);
        assertTrue(text.contains("report: "), text);
        assertTrue(Files.size(out.resolve("report.html")) > 0);
        assertPng(out.resolve("rnb-proportions.png"));
        assertEquals(2, mainTable(out.resolve("table.md")).size());

        String oracle = CliRun.run(0, concat(new String[] {"demo"}, concat(TINY, "--steps", "2", "--seeds", "1", "--oracle", "--out", out.toString())));
        assertTrue(oracle.contains("In short: one seed cannot tell R&B from Stratified"), oracle);
        assertTrue(oracle.contains("Regroup replaced by an oracle (--oracle)"), oracle);
        assertTrue(oracle.contains("domains: regrouped (oracle: latent skill labels, k=4)"), oracle);
        assertTrue(Files.readString(out.resolve("report.html")).contains("oracle: latent skill labels"));
    }

    @Test
    void methodVariantsAndOneGrouping() throws IOException {
        Path out = dir.resolve("sweep");
        String text = CliRun.run(0, concat(new String[] {"experiment"}, concat(TINY, "--steps", "4", "--seeds", "1", "--groupings", "regrouped",
                "--methods", "stratified,rnb:lambda=1,rnb:K=4:uniform=0.5", "--out", out.toString())));
        assertTrue(text.contains("run 3/3: R&B (K=4, uniform=0.5) on regrouped"), text);
        assertTrue(text.contains("R&B rounds: 1; mean L1 change of p per round"), text);
        assertEquals(List.of("Stratified", "R&B (lambda=1)", "R&B (K=4, uniform=0.5)"), mainTable(out.resolve("table.md")).stream().map(r -> r[0]).toList());
        // A sweep charts every R&B setting's proportions, not only the first.
        assertPng(out.resolve("rnb-proportions.png"));
        assertPng(out.resolve("rnb-proportions-K-4-uniform-0.5.png"));
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<img src=\"rnb-proportions.png\"") && html.contains("<img src=\"rnb-proportions-K-4-uniform-0.5.png\""), html);
        refused("lambda must be auto, auto-all or a finite number >= 0, got 'x'", "--methods", "rnb:lambda=x");
        refused("lambda must be auto, auto-all or a finite number >= 0, got '-1'", "--methods", "rnb:lambda=-1");
        refused("--groupings takes original and/or regrouped, got 'clusters'", "--groupings", "clusters");
    }

    @Test
    void lambdaAutoAsAMethodSettingAndAsTheOption() throws IOException {
        Path out = dir.resolve("auto");
        String text = CliRun.run(0, concat(new String[] {"experiment"}, concat(TINY, "--steps", "4", "--seeds", "1", "--groupings", "regrouped",
                "--methods", "rnb:lambda=auto", "--out", out.toString())));
        assertTrue(text.contains("run 1/1: R&B (lambda=auto) on regrouped"), text);
        assertTrue(text.matches("(?s).*; lambda auto = \\d+\\.\\d\\d: min\\(1\\.5 ln k = \\d+\\.\\d\\d, lambda\\* / 2 = \\d+\\.\\d\\d\\).*"), text);
        assertFalse(text.contains("is above lambda*"), text);
        assertEquals(List.of("R&B (lambda=auto)"), mainTable(out.resolve("table.md")).stream().map(r -> r[0]).toList());
        String option = CliRun.run(0, concat(new String[] {"experiment"}, concat(TINY, "--steps", "4", "--seeds", "1", "--groupings", "regrouped",
                "--lambda", "auto", "--methods", "rnb", "--out", dir.resolve("auto-option").toString())));
        assertTrue(option.contains("lambda = auto;"), option);
        assertTrue(option.contains("; lambda auto = "), option);
        // With hier: each finest group's own lambda, the groups at the default lambda.
        String tree = CliRun.run(0, concat(new String[] {"experiment"}, concat(TINY, "--steps", "4", "--seeds", "1", "--groupings", "regrouped",
                "--methods", "rnb:lambda=auto:hier=2", "--out", dir.resolve("auto-hier").toString())));
        assertTrue(tree.matches("(?s).*; lambda auto within each of the 2 finest groups, never below the groups' lambda 1\\.00:"
                + " \\d+\\.\\d\\d to \\d+\\.\\d\\d, median \\d+\\.\\d\\d.*"), tree);
        // auto-all: the level above (here the root over 2 groups: ln 1 = 0, so the floor) named too.
        String all = CliRun.run(0, concat(new String[] {"experiment"}, concat(TINY, "--steps", "4", "--seeds", "1", "--groupings", "regrouped",
                "--methods", "rnb:lambda=auto-all:hier=2", "--out", dir.resolve("auto-all").toString())));
        assertTrue(all.contains("run 1/1: R&B (lambda=auto-all, hier=2) on regrouped"), all);
        assertTrue(all.contains("; lambda auto above the finest groups too, never below 1.00: 1.00 (the root last)"), all);
        refused("--lambda must be auto, auto-all or a finite number >= 0, got 'lots'", "--lambda", "lots");
    }

    /** `rnb experiment` on the tiny corpus with these options exits with BAD_OPTIONS and says {@code expected}. */
    private void refused(String expected, String... options) {
        String text = CliRun.run(ExitCodes.BAD_OPTIONS, concat(new String[] {"experiment"},
                concat(concat(TINY, options), "--out", dir.resolve("refused").toString())));
        assertTrue(text.contains(expected), text);
    }

    @Test
    void originalDomainsAloneSkipRegroup() throws IOException {
        // Regroup (embedding every text, a k sweep) is the slow part of a real corpus's set-up; with only the original
        // domains asked for it must not run at all.
        Path out = dir.resolve("orig");
        String text = CliRun.run(0, concat(new String[] {"experiment"}, concat(TINY, "--steps", "2", "--seeds", "1", "--groupings", "original",
                "--methods", "stratified", "--out", out.toString())));
        assertTrue(text.contains("run 1/1: Stratified on original"), text);
        assertFalse(text.contains("Regroup:"), text);
        assertFalse(text.contains("on regrouped"), text);
        assertEquals(1, mainTable(out.resolve("table.md")).size());
    }

    @Test
    void domainsFromARegroupOutputFolder() throws IOException {
        // rnb regroup --train T --eval E --out D, then rnb experiment --input T --eval E --domains-from D: no cat of its id files.
        List<String> train = new ArrayList<>(), eval = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            String line = "{\"text\": \"" + (i % 2 == 0 ? "0123456789 0123456789 " + i : "hello world, hello there " + i) + "\", \"domain\": \"" + (i < 24 ? "a" : "b") + "\"}";
            (i % 4 == 3 ? eval : train).add(line);
        }
        Path input = dir.resolve("t.jsonl"), held = dir.resolve("e.jsonl"), groups = dir.resolve("groups"), out = dir.resolve("exp");
        Files.write(input, train);
        Files.write(held, eval);
        CliRun.run(0, "regroup", "--train", input.toString(), "--eval", held.toString(), "--out", groups.toString(), "--k", "2", "--backend", "cpu",
                "--embedder", "hashed", "--dims", "16", "--restarts", "1");
        String text = CliRun.run(0, concat(new String[] {"experiment"}, concat(TINY, "--steps", "2", "--seeds", "1", "--methods", "stratified",
                "--groupings", "regrouped", "--input", input.toString(), "--eval", held.toString(), "--domains-from", groups.toString(), "--out", out.toString())));
        assertTrue(text.contains("regrouped (from groups, k=2): 2 domains, 36 train / 12 eval examples"), text);
        // The folder's centroids.npy comes along: rnb:hier groups the domains by it, as after a Regroup inside the experiment.
        String[] hier = concat(new String[] {"experiment"}, concat(TINY, "--steps", "4", "--seeds", "1", "--methods", "rnb:hier=2",
                "--groupings", "regrouped", "--input", input.toString(), "--eval", held.toString(), "--domains-from", groups.toString(), "--out", out.toString()));
        String clustered = CliRun.run(0, hier);
        assertTrue(clustered.contains("hier: 2 groups of 2 domains by k-means over the Regroup centroids"), clustered);
        Npy.Matrix centroids = Npy.read(groups.resolve("centroids.npy"));
        Files.write(groups.resolve("centroids.npy"), Npy.encode(1, centroids.cols(), Arrays.copyOf(centroids.data(), centroids.cols())));
        String tooFew = CliRun.run(ExitCodes.BAD_INPUT, hier);
        assertTrue(tooFew.contains("centroids.npy: has 1 centroids; the cluster ids need at least 2"), tooFew);
        Files.delete(groups.resolve("centroids.npy"));
        String blocks = CliRun.run(0, hier);
        assertTrue(blocks.contains("no Regroup centroids for this grouping, so groups are contiguous blocks"), blocks);
        String noEval = CliRun.run(ExitCodes.BAD_OPTIONS, concat(new String[] {"experiment"}, concat(TINY, "--input", input.toString(),
                "--domains-from", groups.toString(), "--out", out.toString())));
        assertTrue(noEval.contains("is a folder (rnb regroup's output), which needs --eval"), noEval);
        Files.delete(groups.resolve("eval_domains.txt"));
        String missing = CliRun.run(ExitCodes.BAD_INPUT, concat(new String[] {"experiment"}, concat(TINY, "--input", input.toString(), "--eval", held.toString(),
                "--domains-from", groups.toString(), "--out", out.toString())));
        assertTrue(missing.contains("eval_domains.txt: no such file"), missing);
    }

    @Test
    void domainsFromAFileFormTheRegroupedArm() throws IOException {
        List<String> train = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean digits = i % 2 == 0;
            train.add("{\"text\": \"" + (digits ? "0123456789 " + i : "hello world " + i) + "\", \"domain\": \"" + (i < 20 ? "a" : "b") + "\"}");
            ids.add(digits ? "1" : "0");
        }
        Path input = dir.resolve("c.jsonl"), assign = dir.resolve("ids.txt"), out = dir.resolve("exp");
        Files.write(input, train);
        Files.write(assign, ids);
        String text = CliRun.run(0, concat(new String[] {"experiment"}, concat(TINY, "--steps", "2", "--seeds", "1", "--methods", "stratified,rnb",
                "--input", input.toString(), "--domains-from", assign.toString(), "--out", out.toString())));
        assertTrue(text.contains("regrouped (from ids.txt, k=2)"), text);
        assertTrue(text.contains("original (2 domains of c.jsonl)"), text);
        assertEquals(2, mainTable(out.resolve("table.md")).size());
        Files.write(assign, List.of("0", "1"));
        String bad = CliRun.run(ExitCodes.BAD_INPUT, concat(new String[] {"experiment"}, concat(TINY, "--steps", "2", "--seeds", "1", "--input", input.toString(),
                "--domains-from", assign.toString(), "--out", out.toString())));
        assertTrue(bad.contains("has 2 cluster ids; expected one per example"), bad);
    }
}
