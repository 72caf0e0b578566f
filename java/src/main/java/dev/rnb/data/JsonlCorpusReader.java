package dev.rnb.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON Lines: one JSON object per line, the text in {@link LoadOptions#textField()},
 * an optional original domain (string or integer) in {@link LoadOptions#domainField()},
 * an optional embedding array in {@link LoadOptions#embeddingField()}. Blank
 * lines are ignored. Every other problem is a {@link CorpusFormatException}
 * naming file and line, or, under skipBadLines, a counted skip.
 */
public final class JsonlCorpusReader {
    // Jackson caps strings at 20M chars by default; a corpus line may hold a
    // whole book, so the cap is lifted (the line itself is already in memory).
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonlCorpusReader() {}

    public static Corpus read(Path file, LoadOptions options) {
        List<String> texts = new ArrayList<>(), domains = new ArrayList<>();
        FloatList embeddings = options.embeddingField() == null ? null : new FloatList();
        int[] dim = {-1};
        Map<String, Long> ids = new HashMap<>();
        long skipped = 0;
        try (Utf8Lines lines = new Utf8Lines(file)) {
            for (Utf8Lines.Line line = lines.next(); line != null; line = lines.next()) {
                if (line.problem() == null && line.text().isBlank()) {
                    continue;
                }
                try {
                    parse(file, line, options, texts, domains, embeddings, dim, ids);
                } catch (CorpusFormatException e) {
                    if (!options.skipBadLines()) {
                        throw e;
                    }
                    skipped++;
                }
            }
        } catch (IOException e) {
            throw CorpusFormatException.unreadable(file, e);
        }
        if (texts.isEmpty()) {
            throw new CorpusFormatException(file, 0, skipped > 0
                    ? "no valid examples (" + skipped + " bad lines skipped)" : "empty file (no examples)");
        }
        return new Corpus(texts, domains, embeddings == null ? null : embeddings.toArray(), Math.max(dim[0], 0), skipped);
    }

    /** An optional record id; ids need not exist, but where given they name one example each. */
    private static final String ID_FIELD = "id";

    private static void checkId(Path file, long line, JsonNode id, Map<String, Long> seen) {
        if (id == null || id.isNull()) {
            return;
        }
        if (!id.isTextual() && !id.isIntegralNumber()) {
            throw new CorpusFormatException(file, line, "field \"id\" must be a string or an integer, found " + id.getNodeType().name().toLowerCase());
        }
        Long first = seen.putIfAbsent(id.asText(), line);
        if (first != null) {
            String shown = id.asText().length() > 40 ? id.asText().substring(0, 40) + "..." : id.asText();
            throw new CorpusFormatException(file, line, "field \"id\": duplicate id '" + CorpusFormatException.oneLine(shown) + "' (first on line " + first + ")");
        }
    }

    private static void parse(Path file, Utf8Lines.Line line, LoadOptions options, List<String> texts, List<String> domains,
                              FloatList embeddings, int[] dim, Map<String, Long> ids) {
        long n = line.number();
        if (line.problem() != null) {
            throw new CorpusFormatException(file, n, line.problem());
        }
        JsonNode node;
        try {
            node = JSON.readTree(line.text());
        } catch (JsonProcessingException e) {
            throw new CorpusFormatException(file, n, "bad JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new CorpusFormatException(file, n, "expected a JSON object, found " + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()));
        }
        JsonNode text = node.get(options.textField());
        if (text == null) {
            throw new CorpusFormatException(file, n, "missing field \"" + options.textField() + "\"");
        }
        if (!text.isTextual()) {
            throw new CorpusFormatException(file, n, "field \"" + options.textField() + "\" must be a string, found " + text.getNodeType().name().toLowerCase());
        }
        String domain = null;
        JsonNode d = options.domainField() == null ? null : node.get(options.domainField());
        if (d != null && !d.isNull()) {
            if (!d.isTextual() && !d.isIntegralNumber()) {
                throw new CorpusFormatException(file, n, "field \"" + options.domainField() + "\" must be a string or an integer, found " + d.getNodeType().name().toLowerCase());
            }
            domain = d.asText();
        }
        if (embeddings != null) {
            float[] v = embedding(file, n, node.get(options.embeddingField()), options.embeddingField());
            if (dim[0] >= 0 && v.length != dim[0]) {
                throw new CorpusFormatException(file, n, "field \"" + options.embeddingField() + "\" has " + v.length + " numbers, earlier lines have " + dim[0]);
            }
            dim[0] = v.length;
            embeddings.add(v);
        }
        checkId(file, n, node.get(ID_FIELD), ids);
        texts.add(text.asText());
        domains.add(domain);
    }

    private static float[] embedding(Path file, long n, JsonNode e, String field) {
        if (e == null) {
            throw new CorpusFormatException(file, n, "missing field \"" + field + "\"");
        }
        if (!e.isArray() || e.isEmpty()) {
            throw new CorpusFormatException(file, n, "field \"" + field + "\" must be a non-empty array of numbers");
        }
        float[] v = new float[e.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode x = e.get(i);
            if (!x.isNumber() || !Float.isFinite(x.floatValue())) {
                throw new CorpusFormatException(file, n, "field \"" + field + "\"[" + i + "] is not a finite number");
            }
            v[i] = x.floatValue();
        }
        return v;
    }
}
