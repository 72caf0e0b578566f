package dev.rnb.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rnb.data.BadInputException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face tokenizer.json through the Rust tokenizers library (DJL's
 * binding), set up for the encoder: special tokens added, no padding (the
 * batcher pads), truncation at the model's maximum length, and with
 * {@link LongTexts#CHUNK} the overflowing windows kept, each with its own
 * special tokens.
 */
final class TextTokenizer implements AutoCloseable {
    static {
        // DJL may fetch a missing native library from the network; the one for
        // linux-x86_64 is in its jar. Offline, a missing one is an error instead.
        System.setProperty("ai.djl.offline", "true");
        // DJL logs through SLF4J, which rnb does not bind; without this SLF4J warns on every run.
        if (System.getProperty("slf4j.internal.verbosity") == null) System.setProperty("slf4j.internal.verbosity", "ERROR");
    }

    /** The token ids of a list of texts: segment s belongs to text {@code text[s]}. */
    record Segments(int[][] ids, int[] text) {}

    private final HuggingFaceTokenizer tokenizer;
    private final int largestId;
    private final LongTexts longTexts;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, int largestId, LongTexts longTexts) {
        this.tokenizer = tokenizer;
        this.largestId = largestId;
        this.longTexts = longTexts;
    }

    static TextTokenizer load(byte[] json, String file, int maxTokens, LongTexts longTexts) {
        int largest = largestId(json, file);
        Map<String, String> options = Map.of(
                "addSpecialTokens", "true",
                "padding", "false",
                "truncation", "true",
                "maxLength", Integer.toString(maxTokens),
                "withOverflowingTokens", Boolean.toString(longTexts == LongTexts.CHUNK));
        try {
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options), largest, longTexts);
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(file + ": not a tokenizer the Hugging Face tokenizers library can load (" + OnnxModel.firstLine(e.getMessage()) + ")");
        }
    }

    /** The largest token id of the vocabulary and added tokens, to check against the model's embedding table. */
    private static int largestId(byte[] json, String file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new BadInputException(file + ": not JSON (" + OnnxModel.firstLine(e.getMessage()) + ")");
        }
        JsonNode vocab = root.path("model").path("vocab");
        if (!vocab.isObject() && !vocab.isArray()) {
            throw new BadInputException(file + ": has no model.vocab (not a Hugging Face tokenizer.json)");
        }
        int largest = vocab.isArray() ? vocab.size() - 1 : -1;
        if (vocab.isObject()) {
            for (JsonNode id : vocab) largest = Math.max(largest, id.asInt());
        }
        for (JsonNode added : root.path("added_tokens")) largest = Math.max(largest, added.path("id").asInt());
        return largest;
    }

    int largestId() { return largestId; }

    /** Tokenizes {@code texts} (the Rust library works through a batch on every core). */
    Segments encode(List<String> texts) {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        List<int[]> ids = new ArrayList<>(texts.size());
        List<Integer> owner = new ArrayList<>(texts.size());
        for (int t = 0; t < encodings.length; t++) {
            ids.add(toInts(encodings[t].getIds()));
            owner.add(t);
            if (longTexts == LongTexts.CHUNK) {
                for (Encoding more : encodings[t].getOverflowing()) {
                    ids.add(toInts(more.getIds()));
                    owner.add(t);
                }
            }
        }
        return new Segments(ids.toArray(new int[0][]), owner.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
