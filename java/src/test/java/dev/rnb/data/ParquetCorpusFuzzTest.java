package dev.rnb.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rnb.testing.InputErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jazzer target for the Parquet reader (footer, schema, pages, codecs,
 * parquet-column's decoders): every input loads into a consistent corpus, as
 * it is and with bad rows skipped, or is a one-line {@link
 * CorpusFormatException} naming the file. Anything else (another exception,
 * a hang, running out of memory) is a finding. Seeds:
 * {@code ParquetCorpusFuzzTestInputs/parquet/} (scripts/parquet-fixtures.mjs; the
 * {@code v1-*} files with version 1 pages from {@code dev.rnb.testing.ParquetV1Files}).
 */
class ParquetCorpusFuzzTest {
    private static final LoadOptions[] OPTIONS = {LoadOptions.defaults(), new LoadOptions("text", "domain", null, true)};

    @TempDir
    Path dir;

    @FuzzTest
    void parquet(byte[] input) throws IOException {
        Path file = Files.write(dir.resolve("corpus.parquet"), input);
        for (LoadOptions o : OPTIONS) {
            try {
                Corpus c = CorpusLoader.load(file, o);
                assertTrue(c.size() > 0 && c.texts().stream().allMatch(t -> t != null));
            } catch (CorpusFormatException e) {
                InputErrors.assertOneLine(file.toString(), e);
            }
        }
    }

    private static Path seed(String name) {
        try {
            return Path.of(ParquetCorpusFuzzTest.class.getResource("ParquetCorpusFuzzTestInputs/parquet/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void seedsReadAsWritten() {
        for (String name : List.of("snappy.parquet", "uncompressed.parquet", "gzip.parquet")) {
            Corpus c = CorpusLoader.load(seed(name), LoadOptions.defaults());
            assertEquals(List.of("a", "bé", ""), c.texts(), name);
            assertEquals(Arrays.asList("x", null, "y"), c.domains(), name);
        }
        Corpus v1 = CorpusLoader.load(seed("v1-dictionary-zstd.parquet"), LoadOptions.defaults());
        assertEquals(List.of("a", "bé", "a", ""), v1.texts());
        assertEquals(Arrays.asList("x", null, "x", "y"), v1.domains());
        assertEquals(Arrays.asList(null, "x", "y"), CorpusLoader.load(seed("v1-plain-snappy.parquet"), LoadOptions.defaults()).domains());
        Corpus ints = CorpusLoader.load(seed("int-domain.parquet"), LoadOptions.defaults());
        assertEquals(Arrays.asList("7", null), ints.domains());
        Corpus renamed = CorpusLoader.load(seed("snappy.parquet"), new LoadOptions("text", "id", null, false));
        assertEquals(List.of("1", "2", "3"), renamed.domains());
    }

    @Test
    void wrongColumnsAreOneLineErrors() throws IOException {
        Path p = seed("snappy.parquet");
        CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(p, new LoadOptions("body", "domain", null, false)));
        InputErrors.assertOneLine(p + ": no column \"body\"", e);
        e = assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(p, new LoadOptions("id", "domain", null, false)));
        InputErrors.assertOneLine(p + ": column \"id\" must be a string column", e);
        assertTrue(e.getMessage().endsWith("not INT64"), e.getMessage());
        e = assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(p, new LoadOptions("text", "domain", "emb", false)));
        InputErrors.assertOneLine(p + ": embeddings are not read from Parquet", e);
        byte[] bytes = Files.readAllBytes(p);
        for (int cut : new int[] {bytes.length - 1, bytes.length / 2, 4}) {
            Path q = Files.write(dir.resolve("cut.parquet"), Arrays.copyOf(bytes, cut));
            InputErrors.assertOneLine(q + ":", assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(q, LoadOptions.defaults())));
        }
    }
}
