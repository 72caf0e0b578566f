package dev.rnb.data;

import dev.rnb.testing.InputErrors;
import io.airlift.compress.zstd.ZstdOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One corpus as plain JSONL, gzip, zstd and Parquet (fixtures written by an
 * independent writer, scripts/parquet-fixtures.mjs) reads as the same
 * examples; truncated or corrupt compressed input is one clear error, never
 * a shorter corpus.
 */
class CorpusFormatsTest {
    @TempDir
    Path dir;

    static Path fixture(String name) {
        try {
            return Path.of(CorpusFormatsTest.class.getResource("parquet/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(b)) {
            out.write(plain);
        }
        return b.toByteArray();
    }

    static byte[] zstd(byte[] plain) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream out = new ZstdOutputStream(b)) {
            out.write(plain);
        }
        return b.toByteArray();
    }

    private static void assertSameExamples(Corpus expected, Corpus actual) {
        assertEquals(expected.texts(), actual.texts());
        assertEquals(expected.domains(), actual.domains());
    }

    @Test
    void plainGzipZstdAndParquetReadAlike() throws IOException {
        Path jsonl = fixture("corpus.jsonl");
        Corpus plain = CorpusLoader.load(jsonl, LoadOptions.defaults());
        assertEquals(1100, plain.size());
        assertTrue(plain.texts().contains("") && plain.domains().contains(null) && plain.domains().contains("prose"));
        byte[] bytes = Files.readAllBytes(jsonl);
        // Named to mislead: the content decides the format.
        assertSameExamples(plain, CorpusLoader.load(Files.write(dir.resolve("c.jsonl.gz"), gzip(bytes)), LoadOptions.defaults()));
        assertSameExamples(plain, CorpusLoader.load(Files.write(dir.resolve("c.jsonl"), zstd(bytes)), LoadOptions.defaults()));
        assertSameExamples(plain, CorpusLoader.load(Files.write(dir.resolve("c.txt"), gzip(bytes)), LoadOptions.defaults()));
        for (String p : List.of("corpus-snappy.parquet", "corpus-gzip.parquet", "corpus-uncompressed-small-pages.parquet")) {
            assertSameExamples(plain, CorpusLoader.load(fixture(p), LoadOptions.defaults()));
        }
        assertSameExamples(CorpusLoader.load(fixture("corpus-int-domains.jsonl"), LoadOptions.defaults()),
                CorpusLoader.load(fixture("corpus-int-domains.parquet"), LoadOptions.defaults()));
    }

    @Test
    void trainingReadsEveryFormatAlike() throws IOException {
        byte[] bytes = Files.readAllBytes(fixture("corpus.jsonl"));
        ByteDataset plain = TrainingCorpus.readTraining(fixture("corpus.jsonl"));
        for (Path p : List.of(Files.write(dir.resolve("t.jsonl.gz"), gzip(bytes)), Files.write(dir.resolve("t.jsonl.zst"), zstd(bytes)),
                fixture("corpus-snappy.parquet"))) {
            ByteDataset d = TrainingCorpus.readTraining(p);
            assertEquals(plain.domainNames(), d.domainNames());
            assertEquals(plain.size(), d.size());
            for (int i = 0; i < d.size(); i++) {
                assertTrue(Arrays.equals(plain.get(i).bytes(), d.get(i).bytes()) && plain.get(i).domain() == d.get(i).domain(), "example " + i);
            }
        }
    }

    @Test
    void truncatedCompressedInputIsAnErrorNamingTheLine() throws IOException {
        byte[] bytes = Files.readAllBytes(fixture("corpus.jsonl"));
        for (byte[] packed : List.of(gzip(bytes), zstd(bytes))) {
            for (int cut : new int[] {packed.length - 1, packed.length / 2, 12}) {
                Path p = Files.write(dir.resolve("cut.jsonl.gz"), Arrays.copyOf(packed, cut));
                CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(p, LoadOptions.defaults()));
                InputErrors.assertOneLine(p + ":", e);
                assertTrue(e.getMessage().contains("truncated or corrupt") && e.line() > 0, e.getMessage());
                // Skipping bad lines does not skip a broken stream.
                assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(p, new LoadOptions("text", "domain", null, true)));
                assertThrows(CorpusFormatException.class, () -> TrainingCorpus.readTraining(p));
            }
        }
    }

    @Test
    void byteOrderMarkIsDroppedAndCrlfAccepted() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = "{\"text\":\"a\",\"domain\":\"x\"}\r\n{\"text\":\"b\"}\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, all, 0, 3);
        System.arraycopy(body, 0, all, 3, body.length);
        for (Path p : List.of(Files.write(dir.resolve("bom.jsonl"), all), Files.write(dir.resolve("bom.jsonl.gz"), gzip(all)))) {
            Corpus c = CorpusLoader.load(p, LoadOptions.defaults());
            assertEquals(List.of("a", "b"), c.texts());
            assertEquals(Arrays.asList("x", null), c.domains());
            assertEquals(List.of("x", "default"), TrainingCorpus.readTraining(p).domainNames());
        }
        Files.createDirectories(dir.resolve("d/poetry"));
        Files.write(dir.resolve("d/poetry/1.txt"), all);
        Files.write(dir.resolve("d/poetry/2.txt.gz"), gzip("roses".getBytes(StandardCharsets.UTF_8)));
        Files.write(dir.resolve("d/poetry/3.txt.zst"), zstd("violets".getBytes(StandardCharsets.UTF_8)));
        Corpus c = CorpusLoader.load(dir.resolve("d"), LoadOptions.defaults());
        assertEquals(List.of(new String(body, StandardCharsets.UTF_8), "roses", "violets"), c.texts());
    }

    /** Version 1 data pages (pyarrow's and parquet-java's default), plain or dictionary-encoded, uncompressed, snappy or zstd, several row groups and pages. */
    @Test
    void parquetWithVersionOnePagesReadsAlike() throws IOException {
        Corpus plain = CorpusLoader.load(fixture("corpus.jsonl"), LoadOptions.defaults());
        for (org.apache.parquet.format.CompressionCodec codec : List.of(org.apache.parquet.format.CompressionCodec.UNCOMPRESSED,
                org.apache.parquet.format.CompressionCodec.SNAPPY, org.apache.parquet.format.CompressionCodec.ZSTD)) {
            for (boolean dictionary : new boolean[] {false, true}) {
                byte[] file = dev.rnb.testing.ParquetV1Files.write(plain.texts(), plain.domains(), codec, dictionary, 1024, 400);
                Path p = Files.write(dir.resolve(codec + "-" + dictionary + ".parquet"), file);
                assertSameExamples(plain, CorpusLoader.load(p, LoadOptions.defaults()));
            }
        }
    }
}
