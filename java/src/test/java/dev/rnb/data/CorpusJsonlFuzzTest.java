package dev.rnb.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rnb.testing.InputErrors;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jazzer target for the Regroup stage's JSONL corpus loader, with three
 * option sets (plain; an embedding field; an embedding field and
 * skip-bad-lines): every input loads into a consistent corpus, or is a
 * one-line {@link CorpusFormatException} naming the file. Anything else is a
 * finding. Seeds: {@code CorpusJsonlFuzzTestInputs/corpusJsonl/}.
 */
class CorpusJsonlFuzzTest {
    private static final LoadOptions[] OPTIONS = {LoadOptions.defaults(),
            new LoadOptions("text", "domain", "emb", false), new LoadOptions("text", "domain", "emb", true)};

    @TempDir
    Path dir;

    @FuzzTest
    void corpusJsonl(byte[] input) throws IOException {
        Path file = Files.write(dir.resolve("corpus.jsonl"), input);
        for (LoadOptions o : OPTIONS) {
            Corpus c;
            try {
                c = CorpusLoader.load(file, o);
            } catch (CorpusFormatException e) {
                InputErrors.assertOneLine(file + ":", e);
                continue;
            }
            assertTrue(c.size() > 0);
            assertEquals(o.embeddingField() != null, c.hasEmbeddings());
            if (c.hasEmbeddings()) {
                for (float x : c.embeddings()) assertTrue(Float.isFinite(x), "embedding value " + x);
            }
        }
    }
}
