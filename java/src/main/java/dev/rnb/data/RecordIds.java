package dev.rnb.data;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Record ids need not exist, but where given they name one example each: a repeated id is bad input. */
final class RecordIds {
    private final Path file;
    private final Map<String, Long> firstLine = new HashMap<>();

    RecordIds(Path file) { this.file = file; }

    void check(CorpusRecord r, String where) {
        if (r.id() == null) return;
        Long first = firstLine.putIfAbsent(r.id(), r.line());
        if (first != null) {
            String shown = r.id().length() > 40 ? r.id().substring(0, 40) + "..." : r.id();
            throw new CorpusFormatException(file, r.line(), "field \"id\": duplicate id '" + CorpusFormatException.oneLine(shown)
                    + "' (first on " + where + " " + first + ")");
        }
    }
}
