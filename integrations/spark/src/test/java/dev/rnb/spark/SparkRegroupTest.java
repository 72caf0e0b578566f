package dev.rnb.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rnb.cli.ExitCodes;
import dev.rnb.cli.Main;
import dev.rnb.regroup.ClusterAgreement;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark job in local mode (one session for the class, local[2]) on a
 * small generated corpus in three JSONL shards: its outputs, their use by
 * {@code rnb experiment}, its agreement with {@code rnb regroup}, Parquet
 * input, and bad input.
 */
class SparkRegroupTest {
    private static final int SHARDS = 3, PER_SHARD = 160, EVAL = 90, TOPICS = 4;
    private static final String[] K = {"--k", "3..5", "--dims", "64", "--seed", "3", "--backend", "cpu"};
    /** One quick fit, for the tests that compare inputs or check failures. */
    private static final String[] QUICK = {"--k", "4", "--restarts", "1", "--dims", "32", "--seed", "5", "--backend", "cpu"};

    @TempDir
    static Path dir;
    static SparkSession spark;
    static List<List<TopicCorpus.Doc>> shards = new ArrayList<>();
    static List<TopicCorpus.Doc> eval;
    static Path trainDir, trainFile, evalFile;

    @BeforeAll
    static void startSparkAndWriteTheCorpus() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("SparkRegroupTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
        trainDir = Files.createDirectories(dir.resolve("train"));
        List<String> all = new ArrayList<>();
        List<TopicCorpus.Doc> docs = TopicCorpus.generate(SHARDS * PER_SHARD + EVAL, TOPICS, 17);
        for (int s = 0; s < SHARDS; s++) {
            List<TopicCorpus.Doc> shard = docs.subList(s * PER_SHARD, (s + 1) * PER_SHARD);
            shards.add(shard);
            List<String> lines = shard.stream().map(TopicCorpus.Doc::jsonl).toList();
            Files.write(trainDir.resolve("part-" + s + ".jsonl"), lines);
            all.addAll(lines);
        }
        eval = docs.subList(SHARDS * PER_SHARD, docs.size());
        trainFile = Files.write(dir.resolve("train.jsonl"), all);
        evalFile = Files.write(dir.resolve("eval.jsonl"), eval.stream().map(TopicCorpus.Doc::jsonl).toList());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void writesRegroupsOutputsThatRnbExperimentTakesAndAgreesWithRnbRegroup() throws IOException {
        Path out = dir.resolve("spark-out");
        Run r = rnbSpark(concat(new String[] {"regroup", "--train", trainDir.toString(), "--eval", evalFile.toString(), "--out", out.toString()}, K));
        assertEquals(0, r.code(), r.err() + r.out());
        for (String f : List.of("train_domains.txt", "eval_domains.txt", "centroids.npy", "k_sweep.csv", "k_sweep.png", "summary.json", "contingency.csv")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        int[] sparkTrain = ids(out.resolve("train_domains.txt")), sparkEval = ids(out.resolve("eval_domains.txt"));
        assertEquals(SHARDS * PER_SHARD, sparkTrain.length);
        assertEquals(EVAL, sparkEval.length);
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(TOPICS, summary.get("k").asInt(), "the corpus's topics: " + summary);
        assertEquals(SHARDS * PER_SHARD, summary.get("train_examples").asLong());
        assertEquals(TOPICS, summary.get("original_domains").get("count").asInt());
        assertTrue(r.out().contains("documents/s"), r.out());

        // rnb regroup on the same corpus (one file, the shards in order) at the same seed.
        Path single = dir.resolve("rnb-out");
        // The job embeds with the built-in hashed embedder; rnb regroup's default is the neural one.
        assertEquals(0, Main.run(concat(new String[] {"regroup", "--train", trainFile.toString(), "--eval", evalFile.toString(),
                "--embedder", "hashed", "--out", single.toString()}, K)));
        JsonNode reference = new ObjectMapper().readTree(single.resolve("summary.json").toFile());
        assertEquals(reference.get("k").asInt(), summary.get("k").asInt(), "same k chosen");
        double trainAri = ClusterAgreement.adjustedRandIndex(ids(single.resolve("train_domains.txt")), sparkTrain);
        double evalAri = ClusterAgreement.adjustedRandIndex(ids(single.resolve("eval_domains.txt")), sparkEval);
        System.out.printf("agreement with rnb regroup: k %d and %d, ARI train %.4f, eval %.4f%n",
                reference.get("k").asInt(), summary.get("k").asInt(), trainAri, evalAri);
        assertTrue(trainAri >= 0.95 && evalAri >= 0.95, "ARI train " + trainAri + ", eval " + evalAri);

        // rnb experiment --domains-from: the training ids, then the evaluation ids.
        Path domains = dir.resolve("domains.txt");
        Files.write(domains, concatLines(out.resolve("train_domains.txt"), out.resolve("eval_domains.txt")));
        Path exp = dir.resolve("exp");
        assertEquals(0, Main.run("experiment", "--backend", "cpu", "--batch", "4", "--context", "16", "--layers", "1", "--heads", "2",
                "--width", "16", "--eval-examples", "6", "--probe-steps", "1", "--round", "2", "--eval-every", "2", "--log-every", "2",
                "--steps", "2", "--methods", "stratified,rnb", "--input", trainFile.toString(), "--eval", evalFile.toString(),
                "--domains-from", domains.toString(), "--out", exp.toString()));
        assertTrue(Files.readString(exp.resolve("table.md")).contains("regrouped (from domains.txt, k=" + TOPICS + ")"),
                Files.readString(exp.resolve("table.md")));
    }

    @Test
    void parquetShardsGiveTheSameAssignmentsAsTheJsonlShards() throws IOException {
        Path parquet = Files.createDirectories(dir.resolve("parquet"));
        MessageType schema = MessageTypeParser.parseMessageType("message doc { required binary text (STRING); required binary domain (STRING); optional int32 extra; }");
        for (int s = 0; s < SHARDS; s++) writeParquet(parquet.resolve("part-" + s + ".parquet"), schema, shards.get(s));
        Path fromJsonl = dir.resolve("jsonl-out"), fromParquet = dir.resolve("parquet-out");
        String[] common = concat(new String[] {"--eval", evalFile.toString()}, QUICK);
        assertEquals(0, rnbSpark(concat(new String[] {"regroup", "--train", trainDir.toString(), "--out", fromJsonl.toString()}, common)).code());
        Run r = rnbSpark(concat(new String[] {"regroup", "--train", parquet.toString(), "--out", fromParquet.toString()}, common));
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(ids(fromJsonl.resolve("train_domains.txt")), ids(fromParquet.resolve("train_domains.txt")));
        assertArrayEquals(ids(fromJsonl.resolve("eval_domains.txt")), ids(fromParquet.resolve("eval_domains.txt")));
        assertEquals(Files.readString(fromJsonl.resolve("k_sweep.csv")), Files.readString(fromParquet.resolve("k_sweep.csv")));
    }

    @Test
    void withoutEvalASeededHashHoldsOutAboutTheFraction() throws IOException {
        Path out = dir.resolve("split-out");
        Run r = rnbSpark(concat(new String[] {"regroup", "--train", trainDir.toString(), "--eval-fraction", "0.25", "--out", out.toString()},
                QUICK));
        assertEquals(0, r.code(), r.err());
        int nTrain = ids(out.resolve("train_domains.txt")).length, nEval = ids(out.resolve("eval_domains.txt")).length;
        assertEquals(SHARDS * PER_SHARD, nTrain + nEval);
        // 480 records, p = 0.25: the held-out count is 120 +- 9.5 (one standard deviation)
        assertTrue(nEval > 80 && nEval < 160, nEval + " held out");
    }

    @Test
    void aMalformedJsonLineFailsTheJobNamingTheFileAndLine() throws IOException {
        Path bad = Files.createDirectories(dir.resolve("bad-json"));
        Files.write(bad.resolve("a.jsonl"), shards.get(0).stream().map(TopicCorpus.Doc::jsonl).toList());
        List<String> lines = new ArrayList<>(shards.get(1).stream().map(TopicCorpus.Doc::jsonl).toList());
        lines.set(2, "{\"text\": \"unterminated");
        Files.write(bad.resolve("b.jsonl"), lines);
        assertFailsWith(bad, bad.resolve("b.jsonl").toUri() + ":3: bad JSON");
        lines.set(2, "{\"body\": \"no text here\"}");
        Files.write(bad.resolve("b.jsonl"), lines);
        assertFailsWith(bad, bad.resolve("b.jsonl").toUri() + ":3: missing field \"text\"");
    }

    @Test
    void aParquetFileWithoutTheTextColumnFailsTheJobNamingTheFile() throws IOException {
        Path bad = Files.createDirectories(dir.resolve("bad-parquet"));
        MessageType schema = MessageTypeParser.parseMessageType("message doc { required binary body (STRING); required binary domain (STRING); }");
        writeParquet(bad.resolve("x.parquet"), schema, shards.get(0));
        assertFailsWith(bad, bad.resolve("x.parquet").toUri() + ": no column \"text\" (columns: body, domain)");
    }

    /** Exit 3, one line on stderr holding {@code message} (Hadoop names local files file:/...), no output directory. */
    private static void assertFailsWith(Path train, String message) {
        Path out = dir.resolve("never-" + train.getFileName());
        Run r = rnbSpark(concat(new String[] {"regroup", "--train", train.toString(), "--eval", evalFile.toString(), "--out", out.toString()}, QUICK));
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        String expected = message.replace("file:///", "file:/");
        assertTrue(r.err().startsWith("rnb-spark regroup: ") && r.err().contains(expected), r.err() + "\nexpected: " + expected);
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    private static void writeParquet(Path file, MessageType schema, List<TopicCorpus.Doc> docs) throws IOException {
        SimpleGroupFactory groups = new SimpleGroupFactory(schema);
        boolean hasText = schema.containsField("text");
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
                .withConf(new Configuration()).withType(schema).build()) {
            for (TopicCorpus.Doc d : docs) {
                w.write(groups.newGroup().append(hasText ? "text" : "body", d.text()).append("domain", d.domain()));
            }
        }
    }

    record Run(int code, String out, String err) {}

    private static Run rnbSpark(String... args) {
        PrintStream savedOut = System.out, savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = RnbSpark.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
            System.out.print(out.toString(StandardCharsets.UTF_8)); // the job's k sweep and phase times, for the build log
        }
    }

    private static int[] ids(Path file) throws IOException {
        return Files.readAllLines(file).stream().mapToInt(Integer::parseInt).toArray();
    }

    private static List<String> concatLines(Path a, Path b) throws IOException {
        List<String> all = new ArrayList<>(Files.readAllLines(a));
        all.addAll(Files.readAllLines(b));
        return all;
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
