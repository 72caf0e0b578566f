package dev.rnb.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** rnb regroup --embedder onnx:DIR: a good folder works; a bad one is one line, exit 3, before any work. */
class OnnxFolderTest {
    @TempDir
    Path dir;
    private Path train;

    @BeforeEach
    void corpus() throws IOException {
        String[][] topics = {{"goal", "match", "striker", "penalty", "league"}, {"oven", "flour", "butter", "simmer", "recipe"}};
        SplittableRandom r = new SplittableRandom(5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 10; w++) text.append(topics[i % 2][r.nextInt(5)]).append(' ');
            sb.append("{\"text\":\"").append(text.toString().trim()).append("\",\"domain\":\"t").append(i % 2).append("\"}\n");
        }
        train = dir.resolve("train.jsonl");
        Files.writeString(train, sb.toString());
    }

    /** A folder holding the built-in model's two files under the names a sentence-transformers export uses. */
    private Path modelFolder(String name) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        copyResource("/all-minilm-l6-v2.onnx", folder.resolve("model.onnx"));
        copyResource("/all-minilm-l6-v2-tokenizer.json", folder.resolve("tokenizer.json"));
        return folder;
    }

    private static void copyResource(String name, Path to) throws IOException {
        try (InputStream in = OnnxFolderTest.class.getResourceAsStream(name)) {
            Files.copy(in, to);
        }
    }

    private String fails(Path folder) {
        Path out = dir.resolve("out");
        String line = CliRun.fails(ExitCodes.BAD_INPUT, out, "regroup", "--train", train.toString(), "--out", out.toString(),
                "--k", "2", "--backend", "cpu", "--embedder", "onnx:" + folder);
        assertTrue(!Files.exists(out), "nothing written");
        assertTrue(!Files.exists(dir.resolve("rnb-embedding-cache")), "nothing embedded");
        return line;
    }

    @Test
    void aSentenceTransformersFolderRegroups() throws IOException {
        Path folder = modelFolder("minilm");
        Files.writeString(folder.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 128}");
        Path out = dir.resolve("out");
        CliRun.Result r = CliRun.capture("regroup", "--train", train.toString(), "--out", out.toString(), "--k", "2..3", "--backend", "cpu",
                "--embedder", "onnx:" + folder);
        assertEquals(0, r.code(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("minilm (384 dims"), r.stdout());
        assertTrue(r.stdout().contains("384 dims, mean pooling, L2-normalised, at most 128 tokens; ONNX Runtime "), r.stdout());
    }

    @Test
    void aMissingFolderOrFile() throws IOException {
        assertTrue(fails(dir.resolve("nowhere")).contains("nowhere: not a folder"));
        Path noModel = modelFolder("no-model");
        Files.delete(noModel.resolve("model.onnx"));
        assertTrue(fails(noModel).contains("model.onnx: missing"));
        Path noTokenizer = modelFolder("no-tokenizer");
        Files.delete(noTokenizer.resolve("tokenizer.json"));
        assertTrue(fails(noTokenizer).contains("tokenizer.json: missing"));
    }

    @Test
    void aFileThatIsNotAnOnnxModel() throws IOException {
        Path folder = modelFolder("not-onnx");
        byte[] junk = new byte[4096];
        new SplittableRandom(9).nextBytes(junk);
        Files.write(folder.resolve("model.onnx"), junk);
        String line = fails(folder);
        assertTrue(line.contains("model.onnx: not an ONNX model ONNX Runtime can load"), line);
    }

    @Test
    void aTokenizerThatIsNotJsonOrNotATokenizer() throws IOException {
        Path folder = modelFolder("bad-tokenizer");
        Files.writeString(folder.resolve("tokenizer.json"), "{\"model\": ");
        assertTrue(fails(folder).contains("tokenizer.json: not JSON"));
        Files.writeString(folder.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordLevel\"}}");
        assertTrue(fails(folder).contains("tokenizer.json: has no model.vocab"));
    }

    /** Another model's tokenizer: its vocabulary (ids up to 50000) is larger than MiniLM's 30522-row embedding table. */
    @Test
    void aTokenizerOfAnotherModel() throws IOException {
        Path folder = modelFolder("mismatch");
        Files.writeString(folder.resolve("tokenizer.json"), """
                {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [], "normalizer": null,
                 "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null, "decoder": null,
                 "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "goal": 1, "oven": 50000}, "unk_token": "[UNK]"}}""");
        String line = fails(folder);
        assertTrue(line.contains("tokenizer.json does not match") && line.contains("largest token id 50000"), line);
    }
}
