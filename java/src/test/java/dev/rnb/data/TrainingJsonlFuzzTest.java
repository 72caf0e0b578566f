package dev.rnb.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rnb.testing.InputErrors;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jazzer target for the trainer's JSONL reader, as a training file (domains
 * added as they appear) and as an evaluation file (domains fixed): every
 * input parses into examples with valid domain ids, or is a one-line
 * {@link BadInputException} naming file and line. Anything else is a finding.
 * Seeds: {@code TrainingJsonlFuzzTestInputs/trainingJsonl/}; the plain test
 * below is a crash fuzzing found, kept as a regression.
 */
class TrainingJsonlFuzzTest {
    @FuzzTest
    void trainingJsonl(byte[] input) {
        check(input, new LinkedHashMap<>(), true);
        Map<String, Integer> evaluation = new LinkedHashMap<>(Map.of("default", 0, "a", 1));
        check(input, evaluation, false);
    }

    /** Regression (found by Jazzer; the input is a seed too): a '\r' after a backslash went into the message raw. */
    @Test
    void aControlCharacterAfterABackslashIsNamedNotPrinted() {
        byte[] line = "{\"text\": \"a\\\rb\"}".getBytes(StandardCharsets.UTF_8);
        BadInputException e = assertThrows(BadInputException.class, () -> TrainingJsonl.parse("fuzz.jsonl", line, new LinkedHashMap<>(), true));
        InputErrors.assertOneLine("fuzz.jsonl:1:", e);
        assertTrue(e.getMessage().endsWith("bad escape: backslash before U+000D"), e.getMessage());
    }

    private static void check(byte[] input, Map<String, Integer> domains, boolean addDomains) {
        List<TrainingExample> examples;
        try {
            examples = TrainingJsonl.parse("fuzz.jsonl", input, domains, addDomains);
        } catch (BadInputException e) {
            InputErrors.assertOneLine("fuzz.jsonl:", e);
            return;
        }
        for (TrainingExample ex : examples) {
            assertNotNull(ex.bytes());
            assertTrue(ex.domain() < domains.size(), () -> "domain id " + ex.domain() + " of " + domains.size());
        }
    }
}
