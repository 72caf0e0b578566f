package dev.rnb.data;

import dev.rnb.testing.Fuzz;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutation fuzzing of the JSONL reader (see {@link Fuzz} for the knobs):
 * every input either parses into examples whose text is valid UTF-8 and
 * whose domains are consistent, or is a {@link BadInputException} whose
 * message is one line starting with the file name. Anything else is a crash.
 */
class TrainingJsonlFuzzTest {
    static List<byte[]> seeds() {
        String[] lines = {
                "{\"text\": \"hello\", \"domain\": \"a\"}",
                "{\"text\": \"caf\\u00e9 \\\"quoted\\\" \\\\ \\/ \\b\\f\\n\\r\\t\", \"domain\": 7}",
                "{\"domain\": \"b\", \"text\": \"x\", \"meta\": {\"k\": [1, 2.5e3, -0.5, true, false, null, {\"z\": []}]}}",
                "\uFEFF{\"text\": \"bom\"}\r\n{\"text\": \"\u00e9\u4e2d\ud83d\ude00\", \"domain\": -3}",
                "  \n\t\n{\"text\": \"\"}",
                "{\"text\": \"\\ud83d\\ude00 surrogates\", \"domain\": 1e2}",
        };
        List<byte[]> seeds = new ArrayList<>();
        for (String l : lines) seeds.add(l.getBytes(StandardCharsets.UTF_8));
        return seeds;
    }

    static void target(byte[] input) {
        Map<String, Integer> domains = new LinkedHashMap<>();
        List<TrainingExample> examples;
        try {
            examples = TrainingJsonl.parse("fuzz.jsonl", input, domains, true);
        } catch (BadInputException e) {
            String m = e.getMessage();
            assertTrue(m.startsWith("fuzz.jsonl:"), m);
            assertEquals(-1, m.indexOf('\n'), "one line: " + m);
            return;
        }
        for (TrainingExample ex : examples) {
            assertTrue(ex.domain() >= 0 && ex.domain() < domains.size());
            assertTrue(ex.bytes() != null);
        }
    }

    @Test
    void everyInputParsesOrIsAOneLineBadInputError() {
        Fuzz.Stats s = Fuzz.run("TrainingJsonl", seeds(), TrainingJsonlFuzzTest::target);
        assertTrue(s.inputs() > seeds().size());
    }
}
