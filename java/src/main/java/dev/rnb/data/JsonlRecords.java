package dev.rnb.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The JSONL reader (every command reads JSONL through it): one JSON object
 * per line, plain or compressed ({@link Utf8Lines}), the text in {@link
 * LoadOptions#textField()}, an optional original domain (string or integer)
 * in {@link LoadOptions#domainField()}, an optional record id (string or
 * integer, unique) in "id", and, when {@link LoadOptions#embeddingField()} is
 * set, an embedding array on every line. Other fields are skipped; blank
 * lines are ignored. Every other problem is a {@link CorpusFormatException}
 * naming file and line, or, under skipBadLines, a counted skip; a truncated
 * or corrupt compressed stream cannot be skipped.
 */
public final class JsonlRecords {
    // Jackson caps strings at 20M chars by default; a corpus line may hold a
    // whole book, so the cap is lifted (the line, at most Utf8Lines.MAX_LINE_BYTES, is already in memory).
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** An optional record id; ids need not exist, but where given they name one example each. */
    private static final String ID_FIELD = "id";

    private JsonlRecords() {}

    /** Sends each example of {@code file} to {@code sink}; returns the number of bad lines skipped. */
    static long read(Path file, LoadOptions options, Consumer<CorpusRecord> sink) {
        RecordIds ids = new RecordIds(file);
        long skipped = 0;
        try (Utf8Lines lines = new Utf8Lines(file)) {
            for (Utf8Lines.Line line = lines.next(); line != null; line = lines.next()) {
                if (line.problem() == null && line.text().isBlank()) {
                    continue;
                }
                CorpusRecord r;
                try {
                    r = parse(file.toString(), file, line, options);
                    ids.check(r, "line");
                } catch (CorpusFormatException e) {
                    if (!options.skipBadLines()) {
                        throw e;
                    }
                    skipped++;
                    continue;
                }
                sink.accept(r);
            }
        } catch (IOException e) {
            throw CorpusFormatException.unreadable(file, e);
        }
        return skipped;
    }

    /**
     * One non-blank line of a JSONL file that is not on the local file system
     * (the Spark job reads its input through Hadoop streams), by the same
     * rules as {@link #read}; {@code name} is the file as the user gave it.
     * The record's source is null. Blank lines are the caller's to skip, and
     * so are duplicate ids: they need every line of the input.
     */
    public static CorpusRecord parseLine(String name, Utf8Lines.Line line, LoadOptions options) {
        return parse(name, null, line, options);
    }

    private static CorpusRecord parse(String file, Path source, Utf8Lines.Line line, LoadOptions options) {
        long n = line.number();
        if (line.problem() != null) {
            throw new CorpusFormatException(file, n, line.problem());
        }
        JsonNode node;
        try {
            node = JSON.readTree(line.text());
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null || e.getLocation().getColumnNr() < 1 ? "" : " at column " + e.getLocation().getColumnNr();
            throw new CorpusFormatException(file, n, "bad JSON" + at + ": " + CorpusFormatException.oneLine(e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new CorpusFormatException(file, n, "expected a JSON object, found " + (node == null ? "nothing" : typeOf(node)));
        }
        JsonNode text = node.get(options.textField());
        if (text == null) {
            throw new CorpusFormatException(file, n, "missing field \"" + options.textField() + "\"");
        }
        if (!text.isTextual()) {
            throw new CorpusFormatException(file, n, "field \"" + options.textField() + "\" must be a string, found " + typeOf(text));
        }
        String domain = options.domainField() == null ? null : stringOrInteger(file, n, node.get(options.domainField()), options.domainField());
        String id = stringOrInteger(file, n, node.get(ID_FIELD), ID_FIELD);
        float[] embedding = options.embeddingField() == null ? null : embedding(file, n, node.get(options.embeddingField()), options.embeddingField());
        return new CorpusRecord(source, n, text.asText(), domain, id, embedding);
    }

    /** A string or integer field as text; null when absent or null. */
    private static String stringOrInteger(String file, long n, JsonNode v, String field) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() && !v.isIntegralNumber()) {
            throw new CorpusFormatException(file, n, "field \"" + field + "\" must be a string or an integer, found " + typeOf(v));
        }
        return v.asText();
    }

    private static float[] embedding(String file, long n, JsonNode e, String field) {
        if (e == null) {
            throw new CorpusFormatException(file, n, "missing field \"" + field + "\"");
        }
        if (!e.isArray() || e.isEmpty()) {
            throw new CorpusFormatException(file, n, "field \"" + field + "\" must be a non-empty array of numbers");
        }
        float[] v = new float[e.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode x = e.get(i);
            if (!x.isNumber()) {
                throw new CorpusFormatException(file, n, "field \"" + field + "\"[" + i + "] is not a finite number");
            }
            v[i] = x.floatValue();
        }
        Embeddings.requireFinite(file, n, v, 0, 1, v.length);
        return v;
    }

    private static String typeOf(JsonNode v) {
        return v.getNodeType().name().toLowerCase();
    }
}
