package dev.rnb.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingCorpusTest {
    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines), StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void readsTextAndDomainsWithEscapes() throws IOException {
        Path train = write("train.jsonl",
                "{\"text\": \"a\\\"b\\n\\u00e9\\ud83d\\ude00\", \"domain\": \"code\", \"meta\": [1, {\"x\": null}], \"ok\": true}",
                "",
                "{\"domain\": 7, \"text\": \"plain\"}",
                "{\"text\": \"no domain\"}",
                "{\"text\": \"more code\", \"domain\": \"code\"}");
        ByteDataset d = TrainingCorpus.readTraining(train);
        assertEquals(List.of("code", "7", "default"), d.domainNames());
        assertEquals(4, d.size());
        assertArrayEquals("a\"b\né\uD83D\uDE00".getBytes(StandardCharsets.UTF_8), d.get(0).bytes());
        assertEquals(0, d.get(3).domain());
        assertEquals(1, d.get(1).domain());
        assertArrayEquals(new int[] {0, 3}, d.examplesOf(0));
        assertArrayEquals(new float[] {0.5f, 0.25f, 0.25f}, d.proportions());

        ByteDataset eval = TrainingCorpus.readEvaluation(write("eval.jsonl", "{\"text\": \"x\", \"domain\": \"7\"}"), d.domainNames());
        assertEquals(1, eval.get(0).domain());
        assertEquals(3, eval.domains());
    }

    @Test
    void malformedInputNamesFileAndLine() throws IOException {
        Path bad = write("bad.jsonl", "{\"text\": \"ok\"}", "{\"text\": \"unterminated}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingCorpus.readTraining(bad));
        assertTrue(e.getMessage().contains("bad.jsonl:2"), e.getMessage());
        Path noText = write("notext.jsonl", "{\"domain\": \"a\"}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainingCorpus.readTraining(noText))
                .getMessage().contains("\"text\""));
        Path train = write("t.jsonl", "{\"text\": \"ok\", \"domain\": \"a\"}");
        Path eval = write("e.jsonl", "{\"text\": \"ok\", \"domain\": \"zzz\"}");
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> TrainingCorpus.readEvaluation(eval, TrainingCorpus.readTraining(train).domainNames()))
                .getMessage().contains("zzz"));
    }

    /** Regression (found by Jazzer): a '\r' after a backslash went into the message raw. */
    @Test
    void aControlCharacterAfterABackslashIsNamedNotPrinted() throws IOException {
        Path p = dir.resolve("cr.jsonl");
        Files.write(p, "{\"text\": \"a\\\rb\"}".getBytes(StandardCharsets.UTF_8));
        CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> TrainingCorpus.readTraining(p));
        dev.rnb.testing.InputErrors.assertOneLine(p + ":1:", e);
        assertTrue(e.getMessage().contains("code 13"), e.getMessage());
    }
}
