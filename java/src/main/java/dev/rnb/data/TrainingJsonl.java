package dev.rnb.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer's small JSONL reader: one JSON object per line with a string
 * field {@code text} (stored as UTF-8 bytes) and an optional {@code domain}
 * (a string or an integer; missing means "default"). Other fields are
 * skipped; blank lines are ignored. Malformed input is an
 * IllegalArgumentException naming the file and line.
 */
public final class TrainingJsonl {
    private TrainingJsonl() {}

    /**
     * Reads a training file; domain ids are given in order of first appearance.
     */
    public static ByteDataset readTraining(Path file) throws IOException {
        Map<String, Integer> domains = new LinkedHashMap<>();
        List<TrainingExample> examples = read(file, domains, true);
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(file + ": no examples");
        }
        return new ByteDataset(examples, new ArrayList<>(domains.keySet()));
    }

    /**
     * Reads an evaluation file with the training set's domain names; a domain
     * the training set does not have is an error (no training data could serve it).
     */
    public static ByteDataset readEvaluation(Path file, List<String> trainingDomains) throws IOException {
        Map<String, Integer> domains = new LinkedHashMap<>();
        for (String d : trainingDomains) domains.put(d, domains.size());
        List<TrainingExample> examples = read(file, domains, false);
        return new ByteDataset(examples, trainingDomains);
    }

    private static List<TrainingExample> read(Path file, Map<String, Integer> domains, boolean addDomains) throws IOException {
        List<TrainingExample> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                String where = file + ":" + lineNo;
                Map<String, Object> obj;
                try {
                    obj = new Parser(line).topObject();
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": " + e.getMessage());
                }
                if (!(obj.get("text") instanceof String text)) {
                    throw new IllegalArgumentException(where + ": missing string field \"text\"");
                }
                Object d = obj.get("domain");
                String domain;
                if (d == null) {
                    domain = "default";
                } else if (d instanceof String s) {
                    domain = s;
                } else if (d instanceof Double n && n == Math.rint(n)) {
                    domain = Long.toString(n.longValue());
                } else {
                    throw new IllegalArgumentException(where + ": \"domain\" must be a string or an integer");
                }
                Integer id = domains.get(domain);
                if (id == null) {
                    if (!addDomains) {
                        throw new IllegalArgumentException(where + ": domain \"" + domain + "\" does not occur in the training data");
                    }
                    id = domains.size();
                    domains.put(domain, id);
                }
                out.add(new TrainingExample(text.getBytes(StandardCharsets.UTF_8), id));
            }
        }
        return out;
    }

    /** A strict recursive-descent JSON parser for one line; objects become maps, numbers doubles. */
    static final class Parser {
        private final String s;
        private int i;

        Parser(String s) { this.s = s; }

        @SuppressWarnings("unchecked")
        Map<String, Object> topObject() {
            skipWs();
            if (peek() != '{') throw error("expected a JSON object");
            Map<String, Object> obj = (Map<String, Object>) value();
            skipWs();
            if (i != s.length()) throw error("trailing characters after the object");
            return obj;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("malformed JSON at column " + (i + 1) + ": " + what);
        }

        private char peek() {
            if (i >= s.length()) throw error("unexpected end of line");
            return s.charAt(i);
        }

        private void skipWs() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\r' || s.charAt(i) == '\n')) i++;
        }

        private void expect(char c) {
            if (peek() != c) throw error("expected '" + c + "'");
            i++;
        }

        private Object value() {
            skipWs();
            char c = peek();
            switch (c) {
                case '{': {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    skipWs();
                    if (peek() == '}') { i++; return m; }
                    while (true) {
                        skipWs();
                        String key = string();
                        skipWs();
                        expect(':');
                        m.put(key, value());
                        skipWs();
                        if (peek() == ',') { i++; continue; }
                        expect('}');
                        return m;
                    }
                }
                case '[': {
                    i++;
                    List<Object> list = new ArrayList<>();
                    skipWs();
                    if (peek() == ']') { i++; return list; }
                    while (true) {
                        list.add(value());
                        skipWs();
                        if (peek() == ',') { i++; continue; }
                        expect(']');
                        return list;
                    }
                }
                case '"':
                    return string();
                case 't': literal("true"); return Boolean.TRUE;
                case 'f': literal("false"); return Boolean.FALSE;
                case 'n': literal("null"); return null;
                default:
                    return number();
            }
        }

        private void literal(String word) {
            if (!s.startsWith(word, i)) throw error("expected " + word);
            i += word.length();
        }

        private Double number() {
            int start = i;
            if (i < s.length() && s.charAt(i) == '-') i++;
            while (i < s.length() && "0123456789.eE+-".indexOf(s.charAt(i)) >= 0) i++;
            if (start == i) throw error("unexpected character '" + s.charAt(i) + "'");
            try {
                return Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                i = start;
                throw error("bad number");
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = peek();
                i++;
                if (c == '"') return b.toString();
                if (c < 0x20) throw error("control character in a string");
                if (c != '\\') { b.append(c); continue; }
                char e = peek();
                i++;
                switch (e) {
                    case '"': b.append('"'); break;
                    case '\\': b.append('\\'); break;
                    case '/': b.append('/'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'n': b.append('\n'); break;
                    case 'r': b.append('\r'); break;
                    case 't': b.append('\t'); break;
                    case 'u':
                        if (i + 4 > s.length()) throw error("short \\u escape");
                        try {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        i += 4;
                        break;
                    default:
                        throw error("bad escape \\" + e);
                }
            }
        }
    }
}
