package dev.rnb.regroup;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.data.CorpusFormatException;
import dev.rnb.data.CorpusLoader;
import dev.rnb.data.LoadOptions;
import dev.rnb.data.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No path into rnb accepts a non-finite embedding: every reader (whole
 * .npy, chunked k-means fit and assignment, chunked regroup's evaluation
 * rows, the JSONL embedding field) rejects a NaN or an infinity anywhere in
 * the file, naming it; and no main source decodes float values without
 * passing them through {@code Embeddings.requireFinite}, except the readers
 * listed here of values that are not embeddings.
 */
class EmbeddingReadersTest {
    @TempDir
    Path dir;

    /** Sources that decode floats which are not embeddings, and what they read. */
    private static final Map<String, String> NOT_EMBEDDINGS = Map.of(
            "train/Checkpoint.java", "model parameters and optimizer state (checked by its own CRC and shape checks)",
            "backend/cuda/CudaClusterOps.java", "an inertia a kernel computed from device memory, not input",
            "data/DomainAliasTable.java", "the sampler's own keep thresholds, kept as bits beside the domain ids, not input",
            "data/StoredProportions.java", "a checkpoint's proportions, each checked finite and non-negative by that reader itself");

    private static final Pattern DECODES_FLOATS = Pattern.compile("asFloatBuffer|getFloat\\(|getDouble\\(|floatValue\\(\\)|intBitsToFloat|longBitsToDouble");

    @Test
    void everyFloatDecoderChecksFiniteness() throws IOException {
        Path main = Paths.get(System.getProperty("rnb.source.root", "..")).resolve("java/src/main/java/dev/rnb");
        List<String> bypassing = new ArrayList<>(), decoding = new ArrayList<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f), name = main.relativize(f).toString();
                if (!DECODES_FLOATS.matcher(src).find()) continue;
                decoding.add(name);
                if (!src.contains("Embeddings.requireFinite(") && !NOT_EMBEDDINGS.containsKey(name)) bypassing.add(name);
            }
        }
        assertTrue(decoding.contains("data/Npy.java") && decoding.contains("data/JsonlRecords.java"), decoding.toString());
        assertEquals(List.of(), bypassing, "these decode floats without Embeddings.requireFinite");
    }

    @Test
    void everyReaderRejectsANonFiniteValueWherever() throws IOException {
        SplittableRandom r = new SplittableRandom(2);
        int n = 37, d = 5;
        try (Backend b = Backends.open("cpu")) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                for (int at : new int[] {0, r.nextInt(n * d), n * d - 1}) {
                    float[] x = new float[n * d];
                    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                    x[at] = bad;
                    Path npy = Files.write(dir.resolve("e.npy"), Npy.encode(n, d, x));
                    Path good = Files.write(dir.resolve("g.npy"), Npy.encode(n, d, new float[n * d]));
                    String where = npy + ": row " + at / d + ", column " + at % d + " is " + bad;
                    ChunkedKMeans.Options o = new ChunkedKMeans.Options(2, 8, 10, 3, 0, 1);
                    List<Runnable> readers = List.of(
                            () -> Npy.read(npy),
                            () -> ChunkedKMeans.fit(b, npy, o),
                            () -> {
                                try {
                                    ChunkedKMeans.assign(b, npy, new float[2 * d], 2, 8, (first, c, rows) -> { });
                                } catch (IOException e) {
                                    throw new AssertionError(e);
                                }
                            },
                            () -> {
                                try {
                                    ChunkedRegroup.run(b, good, npy, List.of(2), o, 20, dir.resolve("out"));
                                } catch (IOException e) {
                                    throw new AssertionError(e);
                                }
                            });
                    for (Runnable read : readers) {
                        CorpusFormatException e = assertThrows(CorpusFormatException.class, read::run);
                        assertTrue(e.getMessage().startsWith(where), e.getMessage() + " (expected " + where + ")");
                    }
                    assertTrue(!Files.exists(dir.resolve("out")), "chunked regroup wrote output before failing");
                }
            }
        }
        Path jsonl = Files.writeString(dir.resolve("e.jsonl"), "{\"text\": \"a\", \"e\": [1, 2]}\n{\"text\": \"b\", \"e\": [1e39, 2]}\n");
        CorpusFormatException e = assertThrows(CorpusFormatException.class, () -> CorpusLoader.load(jsonl, new LoadOptions("text", "domain", "e", false)));
        assertTrue(e.getMessage().startsWith(jsonl + ":2: embedding column 0 is Infinity"), e.getMessage());
    }
}
