package dev.rnb.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer's small JSONL reader: one JSON object per line with a string
 * field {@code text} (stored as UTF-8 bytes) and an optional {@code domain}
 * (a string or an integer; missing means "default"). Other fields are
 * skipped; blank lines are ignored; a UTF-8 byte order mark at the start is
 * skipped.
 *
 * <p>Malformed input is a {@link BadInputException} whose one-line message
 * names the file, the line, the field and what was expected: invalid JSON,
 * invalid UTF-8 (strictly decoded, never replaced), a field of the wrong
 * type, a line longer than {@link #MAX_LINE_BYTES} (rejected while reading,
 * so memory stays bounded), a file without examples. A file that cannot be
 * read at all is a BadInputException too.
 */
public final class TrainingJsonl {
    /** The longest line (one example) read: 16 MiB. */
    public static final int MAX_LINE_BYTES = 16 << 20;

    private TrainingJsonl() {}

    /**
     * Reads a training file; domain ids are given in order of first appearance.
     */
    public static ByteDataset readTraining(Path file) throws IOException {
        Map<String, Integer> domains = new LinkedHashMap<>();
        List<TrainingExample> examples = read(file, domains, true);
        if (examples.isEmpty()) {
            throw new BadInputException(file + ": no training examples (expected one JSON object with a \"text\" field per line)");
        }
        return new ByteDataset(examples, new ArrayList<>(domains.keySet()));
    }

    /**
     * Reads an evaluation file with the training set's domain names; a domain
     * the training set does not have is an error (no training data could
     * serve it), and so is a file without examples.
     */
    public static ByteDataset readEvaluation(Path file, List<String> trainingDomains) throws IOException {
        Map<String, Integer> domains = new LinkedHashMap<>();
        for (String d : trainingDomains) domains.put(d, domains.size());
        List<TrainingExample> examples = read(file, domains, false);
        if (examples.isEmpty()) {
            throw new BadInputException(file + ": no evaluation examples (expected one JSON object with a \"text\" field per line)");
        }
        return new ByteDataset(examples, trainingDomains);
    }

    /** Parses the lines of a file already in memory (named {@code name} in errors); for tests and fuzzing. */
    static List<TrainingExample> parse(String name, byte[] content, Map<String, Integer> domains, boolean addDomains) {
        try {
            return read(name, new ByteArrayInputStream(content), domains, addDomains);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<TrainingExample> read(Path file, Map<String, Integer> domains, boolean addDomains) throws IOException {
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new BadInputException(file + ": not readable (permission denied)");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot be read (" + e.getMessage() + ")");
        }
        if (Files.isDirectory(file)) {
            raw.close();
            throw new BadInputException(file + ": is a directory, expected a JSONL file");
        }
        try (InputStream in = new BufferedInputStream(raw, 1 << 16)) {
            return read(file.toString(), in, domains, addDomains);
        }
    }

    private static List<TrainingExample> read(String file, InputStream in, Map<String, Integer> domains, boolean addDomains) throws IOException {
        List<TrainingExample> out = new ArrayList<>();
        LineReader lines = new LineReader(in);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int lineNo = 0;
        Map<String, Integer> ids = new HashMap<>();
        while (true) {
            lineNo++;
            String where = file + ":" + lineNo;
            int length = lines.next();
            if (length == LineReader.EOF) break;
            if (length == LineReader.TOO_LONG) {
                throw new BadInputException(where + ": line longer than " + (MAX_LINE_BYTES >> 20)
                        + " MiB (one example per line; split the text)");
            }
            byte[] bytes = lines.buffer();
            int from = 0;
            if (lineNo == 1 && length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
                from = 3;
            }
            String line = decode(utf8, bytes, from, length, where);
            if (line.isBlank()) continue;
            Map<String, Object> obj;
            try {
                obj = new Parser(line).topObject();
            } catch (IllegalArgumentException e) {
                throw new BadInputException(where + ": " + e.getMessage());
            }
            Object t = obj.get("text");
            if (!(t instanceof String text)) {
                throw new BadInputException(where + ": field \"text\": expected a string, "
                        + (obj.containsKey("text") ? "got " + typeOf(t) : "but the field is missing"));
            }
            Object d = obj.get("domain");
            String domain;
            if (d == null) {
                domain = "default";
            } else if (d instanceof String s) {
                domain = s;
            } else if (d instanceof Double n && n == Math.rint(n) && Math.abs(n) < 1e15) {
                domain = Long.toString(n.longValue());
            } else {
                throw new BadInputException(where + ": field \"domain\": expected a string or an integer, got " + typeOf(d));
            }
            Object recordId = obj.get("id");
            if (recordId != null) {
                String key = recordId instanceof Double n && n == Math.rint(n) && Math.abs(n) < 1e15 ? Long.toString(n.longValue())
                        : recordId instanceof String str ? str : null;
                if (key == null) {
                    throw new BadInputException(where + ": field \"id\": expected a string or an integer, got " + typeOf(recordId));
                }
                Integer first = ids.putIfAbsent(key, lineNo);
                if (first != null) {
                    throw new BadInputException(where + ": field \"id\": duplicate id '" + printable(key) + "' (first on line " + first + ")");
                }
            }
            Integer id = domains.get(domain);
            if (id == null) {
                if (!addDomains) {
                    throw new BadInputException(where + ": field \"domain\": domain \"" + printable(domain)
                            + "\" has no training examples (expected one of the training data's domains)");
                }
                id = domains.size();
                domains.put(domain, id);
            }
            out.add(new TrainingExample(text.getBytes(StandardCharsets.UTF_8), id));
        }
        return out;
    }

    private static String decode(CharsetDecoder utf8, byte[] bytes, int from, int to, String where) {
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        CharBuffer out = CharBuffer.allocate(to - from);
        utf8.reset();
        CoderResult r = utf8.decode(in, out, true);
        if (!r.isError()) {
            r = utf8.flush(out);
        }
        if (r.isError()) {
            throw new BadInputException(where + ": invalid UTF-8 at byte " + (in.position() - from + 1)
                    + " of the line (expected UTF-8 text)");
        }
        out.flip();
        return out.toString();
    }

    private static String typeOf(Object v) {
        if (v == null) return "null";
        if (v instanceof String) return "a string";
        if (v instanceof Double) return "the number " + v;
        if (v instanceof Boolean) return "a boolean";
        if (v instanceof List) return "an array";
        return "an object";
    }

    private static String printable(String s) {
        String cut = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        StringBuilder b = new StringBuilder();
        for (char c : cut.toCharArray()) {
            if (c < 0x20 || c == 0x7F) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }

    /** Splits a stream at '\n' (dropping a '\r' before it) without ever holding more than one line. */
    private static final class LineReader {
        static final int EOF = -1, TOO_LONG = -2;
        private final InputStream in;
        private byte[] buf = new byte[256];
        private boolean done;

        LineReader(InputStream in) { this.in = in; }

        byte[] buffer() { return buf; }

        /** The length of the next line in {@link #buffer()}, or EOF, or TOO_LONG. */
        int next() throws IOException {
            if (done) return EOF;
            int n = 0;
            while (true) {
                int c = in.read();
                if (c == -1) {
                    done = true;
                    if (n == 0) return EOF;
                    break;
                }
                if (c == '\n') break;
                if (n == MAX_LINE_BYTES) {
                    return TOO_LONG;
                }
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(MAX_LINE_BYTES, 2L * buf.length));
                }
                buf[n++] = (byte) c;
            }
            if (n > 0 && buf[n - 1] == '\r') n--;
            return n;
        }
    }

    /**
     * A strict recursive-descent JSON parser for one line; objects become
     * maps, numbers doubles; nesting is limited to {@link #MAX_DEPTH}.
     */
    static final class Parser {
        /** Deeper nesting is an error, not a StackOverflowError. */
        static final int MAX_DEPTH = 256;
        private final String s;
        private int i;
        private int depth;

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
            if (++depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH + " levels");
            try {
                return valueAt();
            } finally {
                depth--;
            }
        }

        private Object valueAt() {
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
            if (start == i) {
                char c = s.charAt(i);
                throw error("unexpected character " + quoted(c));
            }
            try {
                return Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                i = start;
                throw error("bad number");
            }
        }

        /** {@code c} for a one-line message: control characters (a '\r' inside a line) by code point. */
        private static String quoted(char c) {
            return c < 0x20 || c == 0x7F ? String.format("U+%04X", (int) c) : "'" + c + "'";
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = peek();
                i++;
                if (c == '"') return b.toString();
                if (c < 0x20) {
                    i--;
                    throw error("control character " + String.format("U+%04X", (int) c) + " in a string (escape it)");
                }
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
                        throw error("bad escape: backslash before " + quoted(e));
                }
            }
        }
    }
}
