package dev.rnb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rnb.data.Npy;
import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** rnb regroup end to end on small generated corpora. */
class RegroupCommandTest {
    @TempDir
    Path dir;

    private static final String[][] TOPICS = {
            {"galaxy", "orbit", "telescope", "nebula", "comet", "planet", "stellar"},
            {"recipe", "butter", "oven", "flour", "simmer", "garlic", "pastry"},
            {"contract", "court", "statute", "plaintiff", "appeal", "verdict", "clause"}};

    /** n lines, topic i % 3, original domain = topic name, text from that topic's words. */
    private Path corpus(String name, int n, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String[] words = TOPICS[i % 3];
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 12; w++) text.append(words[r.nextInt(words.length)]).append(' ');
            sb.append("{\"text\":\"").append(text.toString().trim()).append("\",\"domain\":\"topic").append(i % 3).append("\"}\n");
        }
        Path p = dir.resolve(name);
        Files.writeString(p, sb.toString());
        return p;
    }

    @Test
    void regroupsAGeneratedCorpusAndWritesEveryOutput() throws IOException {
        Path train = corpus("train.jsonl", 120, 1);
        Path out = dir.resolve("out");
        CliRun.Result r = CliRun.capture("regroup", "--train", train.toString(), "--out", out.toString(), "--k", "2..5", "--embedder", "hashed", "--dims", "64", "--backend", "cpu");
        assertEquals(0, r.code(), r.stdout() + r.stderr());
        for (String f : List.of("train_domains.txt", "eval_domains.txt", "centroids.npy", "k_sweep.csv", "k_sweep.png", "summary.json", "contingency.csv")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(3, summary.get("k").asInt(), r.stdout());
        assertTrue(summary.get("original_domains").get("adjusted_rand_index").asDouble() > 0.95, summary.toString());
        assertEquals(108, Files.readAllLines(out.resolve("train_domains.txt")).size());
        assertEquals(12, Files.readAllLines(out.resolve("eval_domains.txt")).size());
        double p = 0;
        for (JsonNode v : summary.get("eval_proportions")) p += v.asDouble();
        assertEquals(1.0, p, 1e-9);
        Npy.Matrix c = Npy.read(out.resolve("centroids.npy"));
        assertEquals(3, c.rows());
        assertEquals(64, c.cols());
        assertEquals(5, Files.readAllLines(out.resolve("k_sweep.csv")).size());
        byte[] png = Files.readAllBytes(out.resolve("k_sweep.png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        assertTrue(r.stdout().contains("<- best"), r.stdout());
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temp files left");
        }
    }

    @Test
    void separateEvalFileNpyEmbeddingsAndTheEmulatedCudaBackend() throws IOException {
        Path train = corpus("t.jsonl", 30, 2), eval = corpus("e.jsonl", 9, 3);
        SplittableRandom r = new SplittableRandom(4);
        float[] te = new float[30 * 8], ee = new float[9 * 8];
        for (int i = 0; i < 30; i++) for (int c = 0; c < 8; c++) te[i * 8 + c] = (float) (c == i % 3 ? 5 : 0) + (float) r.nextGaussian() * 0.1f;
        for (int i = 0; i < 9; i++) for (int c = 0; c < 8; c++) ee[i * 8 + c] = (float) (c == i % 3 ? 5 : 0) + (float) r.nextGaussian() * 0.1f;
        Path tn = dir.resolve("t.npy"), en = dir.resolve("e.npy");
        Files.write(tn, Npy.encode(30, 8, te));
        Files.write(en, Npy.encode(9, 8, ee));
        Path out = dir.resolve("out2");
        CliRun.Result run = CliRun.capture("regroup", "--train", train.toString(), "--eval", eval.toString(), "--train-embeddings", tn.toString(),
                "--eval-embeddings", en.toString(), "--out", out.toString(), "--k", "2,3", "--spherical", "--backend", "cuda-emulated");
        assertEquals(0, run.code(), run.stdout() + run.stderr());
        List<String> evalIds = Files.readAllLines(out.resolve("eval_domains.txt"));
        List<String> trainIds = Files.readAllLines(out.resolve("train_domains.txt"));
        for (int i = 0; i < 9; i++) assertEquals(trainIds.get(i % 3), evalIds.get(i), "eval example " + i + " joins its topic's cluster");

        Files.write(en, Npy.encode(9, 7, new float[63]));
        CliRun.Result bad = CliRun.capture("regroup", "--train", train.toString(), "--eval", eval.toString(), "--train-embeddings", tn.toString(),
                "--eval-embeddings", en.toString(), "--out", out.toString(), "--k", "2", "--backend", "cpu");
        assertEquals(ExitCodes.BAD_INPUT, bad.code());
        assertTrue(bad.stderr().contains("8 dims") && bad.stderr().contains("7"), bad.stderr());
        Files.write(en, Npy.encode(4, 8, new float[32]));
        bad = CliRun.capture("regroup", "--train", train.toString(), "--eval", eval.toString(), "--train-embeddings", tn.toString(),
                "--eval-embeddings", en.toString(), "--out", out.toString(), "--k", "2", "--backend", "cpu");
        assertEquals(ExitCodes.BAD_INPUT, bad.code());
        assertTrue(bad.stderr().contains("4 rows") && bad.stderr().contains("9 examples"), bad.stderr());
    }

    @Test
    void directoryOfTextFilesOnTheReferenceBackend() throws IOException {
        SplittableRandom r = new SplittableRandom(6);
        for (int t = 0; t < 3; t++) {
            Path domain = Files.createDirectories(dir.resolve("corpus").resolve("domain" + t));
            for (int i = 0; i < 12; i++) {
                StringBuilder text = new StringBuilder();
                for (int w = 0; w < 15; w++) text.append(TOPICS[t][r.nextInt(TOPICS[t].length)]).append(' ');
                Files.writeString(domain.resolve(i + ".txt"), text.toString());
            }
        }
        Path out = dir.resolve("out3");
        CliRun.Result run = CliRun.capture("regroup", "--train", dir.resolve("corpus").toString(), "--out", out.toString(), "--k", "2..4",
                "--eval-fraction", "0.25", "--embedder", "hashed", "--dims", "32", "--backend", "reference");
        assertEquals(0, run.code(), run.stdout() + run.stderr());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("reference", summary.get("backend").asText());
        assertEquals(27, summary.get("train_examples").asInt());
        assertEquals(3, summary.get("original_domains").get("count").asInt());
        assertTrue(Files.readString(out.resolve("contingency.csv")).startsWith("original_domain,cluster_0"));
    }

    @Test
    void badInputIsANonZeroExitWithOneLineNamingFileAndLine() throws IOException {
        Path train = corpus("bad.jsonl", 20, 5);
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(train));
        lines.set(6, "{\"text\": \"unterminated");
        Files.write(train, lines);
        CliRun.Result r = CliRun.capture("regroup", "--train", train.toString(), "--out", dir.resolve("o").toString(), "--k", "2", "--backend", "cpu");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
        assertTrue(r.stderr().contains(train + ":7: bad JSON"), r.stderr());

        CliRun.Result skipped = CliRun.capture("regroup", "--train", train.toString(), "--out", dir.resolve("o").toString(), "--k", "2", "--skip-bad-lines", "--backend", "cpu");
        assertEquals(0, skipped.code(), skipped.stderr());
        assertTrue(skipped.stdout().contains("skipped 1 bad lines"), skipped.stdout());

        CliRun.Result tooMany = CliRun.capture("regroup", "--train", train.toString(), "--out", dir.resolve("o").toString(), "--k", "50", "--skip-bad-lines", "--backend", "cpu");
        assertEquals(2, tooMany.code());
        assertTrue(tooMany.stderr().contains("k = 50") && tooMany.stderr().contains("N = 17"), tooMany.stderr());
    }

    @Test
    void embeddingsReadInChunksWithoutACorpus() throws IOException {
        Rng rng = new Rng();
        int d = 6, k = 3;
        // Centres on distinct axes, 8 * sqrt(2) apart against unit noise: random
        // Gaussian centres were at times close enough for k = 2 to win the sweep.
        float[] centres = new float[k * d];
        for (int j = 0; j < k; j++) centres[j * d + j] = rng.nextGaussian() < 0 ? -1 : 1;
        float[] t = new float[600 * d], e = new float[60 * d];
        for (int i = 0; i < 600 * d; i++) t[i] = 8 * centres[(i / d % k) * d + i % d] + (float) rng.nextGaussian();
        for (int i = 0; i < 60 * d; i++) e[i] = 8 * centres[(i / d % k) * d + i % d] + (float) rng.nextGaussian();
        Path tn = Files.write(dir.resolve("t.npy"), Npy.encode(600, d, t)), en = Files.write(dir.resolve("e.npy"), Npy.encode(60, d, e));
        Path out = dir.resolve("chunked");
        CliRun.Result r = CliRun.capture("regroup", "--train-embeddings", tn.toString(), "--eval-embeddings", en.toString(), "--chunk-rows", "97",
                "--k", "2..4", "--out", out.toString(), "--backend", "cpu");
        assertEquals(0, r.code(), r.stdout() + r.stderr());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(3, summary.get("k").asInt(), r.stdout() + " " + rng);
        List<String> trainIds = Files.readAllLines(out.resolve("train_domains.txt")), evalIds = Files.readAllLines(out.resolve("eval_domains.txt"));
        assertEquals(600, trainIds.size());
        assertEquals(60, evalIds.size());
        for (int i = 0; i < 60; i++) assertEquals(trainIds.get(i % k), evalIds.get(i), "eval row " + i + " joins its blob's cluster " + rng);
        double p = 0;
        for (JsonNode v : summary.get("eval_proportions")) p += v.asDouble();
        assertEquals(1.0, p, 1e-9);
        for (String f : List.of("centroids.npy", "k_sweep.csv", "k_sweep.png")) assertTrue(Files.size(out.resolve(f)) > 0, f);

        assertEquals(ExitCodes.BAD_OPTIONS, CliRun.capture("regroup", "--chunk-rows", "97", "--out", out.toString()).code());
        assertEquals(ExitCodes.BAD_OPTIONS, CliRun.capture("regroup", "--train-embeddings", tn.toString(), "--train", tn.toString(),
                "--chunk-rows", "97", "--out", out.toString()).code());
        assertEquals(ExitCodes.BAD_OPTIONS, CliRun.capture("regroup", "--out", out.toString()).code());
        Path wide = Files.write(dir.resolve("wide.npy"), Npy.encode(2, d + 1, new float[2 * (d + 1)]));
        CliRun.Result bad = CliRun.capture("regroup", "--train-embeddings", tn.toString(), "--eval-embeddings", wide.toString(), "--chunk-rows", "97",
                "--k", "3", "--out", dir.resolve("o2").toString(), "--backend", "cpu");
        assertEquals(ExitCodes.BAD_INPUT, bad.code(), bad.stderr());
        assertTrue(bad.stderr().contains("wide.npy: has 7 columns"), bad.stderr());
    }
}
