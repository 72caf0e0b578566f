package dev.rnb.data;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rnb.testing.InputErrors;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Jazzer targets for the gzip and zstd decoders (one JVM each): the fuzzer
 * picks a JSONL content, and the file is that content compressed, intact,
 * cut short or with one byte changed. Intact, it must load exactly as the
 * plain file does (or fail with the same problem on the same line; a
 * compressed Parquet file is refused); cut,
 * it must fail (a shorter corpus is a finding); changed, it must load as
 * the plain file or fail with a one-line {@link CorpusFormatException}
 * naming the file (the formats' checksums make any other content a
 * finding). Seeds: {@code CompressedCorpusFuzzTestInputs/{gzip,zstd}/}.
 */
class CompressedCorpusFuzzTest {
    @TempDir
    Path dir;

    @FuzzTest
    void gzip(FuzzedDataProvider data) throws IOException {
        check(data, false);
    }

    @FuzzTest
    void zstd(FuzzedDataProvider data) throws IOException {
        check(data, true);
    }

    private void check(FuzzedDataProvider data, boolean zstd) throws IOException {
        int mode = data.consumeInt(0, 2), where = data.consumeInt(0, Integer.MAX_VALUE);
        byte xor = (byte) data.consumeInt(1, 255);
        byte[] content = data.consumeRemainingAsBytes();
        Path plain = Files.write(dir.resolve("plain.jsonl"), content);
        String expected = outcome(plain);
        byte[] packed = zstd ? CorpusFormatsTest.zstd(content) : CorpusFormatsTest.gzip(content);
        Path file = dir.resolve("packed.jsonl");
        switch (mode) {
            case 0 -> {
                Files.write(file, packed);
                // A compressed Parquet file is refused (Parquet compresses its own pages).
                boolean parquet = content.length >= 4 && new String(content, 0, 4, StandardCharsets.ISO_8859_1).equals("PAR1");
                String got = outcome(file);
                if (Compression.of(content, content.length) != Compression.NONE) {
                    return; // compressed twice: one layer is undone, so the plain file is not the reference
                }
                assertEquals(parquet ? "error : a " + (zstd ? "zstd" : "gzip") + "-compressed Parquet file: decompress it first"
                        + " (Parquet compresses its own pages)" : expected, got);
            }
            case 1 -> {
                Files.write(file, Arrays.copyOf(packed, Math.floorMod(where, packed.length)));
                InputErrors.assertOneLine(file + ":", assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(file, LoadOptions.defaults()),
                        () -> "a truncated archive loaded: " + Arrays.toString(content)));
            }
            default -> {
                packed[Math.floorMod(where, packed.length)] ^= xor;
                Files.write(file, packed);
                String got = outcome(file);
                if (!got.equals(expected) && !got.startsWith("error ")) {
                    throw new AssertionError("a changed archive loaded other examples: " + got + " instead of " + expected);
                }
            }
        }
    }

    /** The corpus {@code file} loads as (texts, domains, skipped lines), or "error" and its problem after the file name. */
    private static String outcome(Path file) {
        try {
            Corpus c = CorpusLoader.load(file, LoadOptions.defaults());
            return c.texts() + " " + c.domains() + " " + c.skippedLines();
        } catch (CorpusFormatException e) {
            InputErrors.assertOneLine(file.toString(), e);
            return "error " + e.getMessage().substring(file.toString().length());
        }
    }
}
