package dev.rnb.cli;

import dev.rnb.data.Npy;
import dev.rnb.testing.NpyFiles;
import io.airlift.compress.zstd.ZstdOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The input formats through the command line: train, experiment and regroup
 * read gzip, zstd and Parquet corpora as the plain JSONL; a truncated archive
 * is exit 3 naming file and line; .npy conversions are announced; a
 * non-finite embedding fails the chunked path as it fails the in-memory one.
 */
class InputFormatsCliTest {
    @TempDir
    Path dir;

    private static final String[] TINY_MODEL = {"--backend", "cpu", "--batch", "4", "--context", "16", "--layers", "1", "--heads", "2", "--width", "16"};

    private static Path fixture(String name) {
        try {
            return Path.of(InputFormatsCliTest.class.getResource("/dev/rnb/data/parquet/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] compress(byte[] plain, boolean zstd) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream out = zstd ? new ZstdOutputStream(b) : new GZIPOutputStream(b)) {
            out.write(plain);
        }
        return b.toByteArray();
    }

    /** The plain fixture corpus and the same as .jsonl.gz, .jsonl.zst and Parquet. */
    private List<Path> sameCorpusFourWays() throws IOException {
        byte[] plain = Files.readAllBytes(fixture("corpus.jsonl"));
        return List.of(fixture("corpus.jsonl"), Files.write(dir.resolve("corpus.jsonl.gz"), compress(plain, false)),
                Files.write(dir.resolve("corpus.jsonl.zst"), compress(plain, true)), fixture("corpus-snappy.parquet"));
    }

    /** {@code rnb command shared... rest...}. */
    private static String[] args(String command, String[] shared, String... rest) {
        List<String> a = new ArrayList<>(List.of(command));
        a.addAll(Arrays.asList(shared));
        a.addAll(Arrays.asList(rest));
        return a.toArray(String[]::new);
    }

    private static String lastLoss(String text) {
        Matcher m = Pattern.compile("step 3/3 \\| loss (\\S+)").matcher(text);
        assertTrue(m.find(), text);
        return m.group(1);
    }

    @Test
    void trainReadsEveryFormatAsTheSameData() throws IOException {
        String loss = null;
        int i = 0;
        for (Path input : sameCorpusFourWays()) {
            String text = CliRun.run(0, args("train", TINY_MODEL, "--input", input.toString(), "--out", dir.resolve("t" + i++).toString(), "--steps", "3"));
            if (loss == null) loss = lastLoss(text);
            else assertEquals(loss, lastLoss(text), input.toString());
        }
    }

    @Test
    void experimentReadsParquet() throws IOException {
        for (Path input : sameCorpusFourWays().subList(3, 4)) {
            String text = CliRun.run(0, args("experiment", ExperimentCommandTest.TINY, "--input", input.toString(), "--steps", "2",
                    "--seeds", "1", "--methods", "stratified", "--out", dir.resolve("e-" + input.getFileName()).toString()));
            assertTrue(text.contains(input.getFileName().toString()), text);
        }
    }

    @Test
    void regroupAssignsTheSameClustersWhateverTheFormat() throws IOException {
        String first = null;
        int i = 0;
        for (Path input : sameCorpusFourWays()) {
            Path out = dir.resolve("r" + i++);
            CliRun.run(0, "regroup", "--train", input.toString(), "--out", out.toString(), "--k", "2", "--backend", "cpu", "--dims", "8",
                    "--silhouette-sample", "50", "--restarts", "1");
            String assigned = Files.readString(out.resolve("train_domains.txt"));
            if (first == null) first = assigned;
            else assertEquals(first, assigned, input.toString());
        }
    }

    @Test
    void truncatedArchivesAreBadInputNamingTheLine() throws IOException {
        byte[] plain = Files.readAllBytes(fixture("corpus.jsonl"));
        for (boolean zstd : new boolean[] {false, true}) {
            byte[] packed = compress(plain, zstd);
            Path cut = Files.write(dir.resolve(zstd ? "cut.jsonl.zst" : "cut.jsonl.gz"), Arrays.copyOf(packed, packed.length * 2 / 3));
            for (String[] command : new String[][] {
                    args("train", TINY_MODEL, "--input", cut.toString(), "--steps", "1", "--out", dir.resolve("o1").toString()),
                    {"regroup", "--train", cut.toString(), "--backend", "cpu", "--out", dir.resolve("o2").toString()}}) {
                String line = CliRun.fails(ExitCodes.BAD_INPUT, dir.resolve(command[0].equals("regroup") ? "o2" : "o1"), command);
                assertTrue(line.matches(".*" + Pattern.quote(cut.toString()) + ":\\d+: " + (zstd ? "zstd" : "gzip") + " data is truncated or corrupt.*"), line);
            }
        }
        Path notParquet = Files.write(dir.resolve("cut.parquet"), Arrays.copyOf(Files.readAllBytes(fixture("corpus-snappy.parquet")), 5000));
        String line = CliRun.fails(ExitCodes.BAD_INPUT, dir.resolve("o3"), "regroup", "--train", notParquet.toString(), "--backend", "cpu",
                "--out", dir.resolve("o3").toString());
        assertTrue(line.contains("cut.parquet: not a Parquet file (no PAR1 at its end: truncated?)"), line);
    }

    @Test
    void byteOrderMarkedCrlfJsonlTrains() throws IOException {
        Path p = dir.resolve("bom.jsonl");
        Files.write(p, ("\uFEFF{\"text\": \"hello there\", \"domain\": \"a\"}\r\n{\"text\": \"bye now\", \"domain\": \"b\"}\r\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String text = CliRun.run(0, args("train", TINY_MODEL, "--input", p.toString(), "--steps", "1", "--out", dir.resolve("o").toString()));
        assertTrue(text.contains("step 1/1"), text);
    }

    @Test
    void npyConversionsAreAnnouncedAndClusterAsFloat32() throws IOException {
        SplittableRandom r = new SplittableRandom(3);
        int n = 60, d = 4;
        double[] v = new double[n * d];
        for (int i = 0; i < v.length; i++) v[i] = (i / d % 2 == 0 ? 8 : -8) + (r.nextInt(64) - 32) / 64.0;
        Path f4 = Files.write(dir.resolve("f4.npy"), NpyFiles.encode(n, d, v, "<f4", false));
        Path f8 = Files.write(dir.resolve("f8.npy"), NpyFiles.encode(n, d, v, "<f8", false));
        Path f2 = Files.write(dir.resolve("f2.npy"), NpyFiles.encode(n, d, v, ">f2", true));
        String[] base = {"--k", "2", "--backend", "cpu"};
        String plain = CliRun.run(0, args("regroup", base, "--train-embeddings", f4.toString(), "--chunk-rows", "7", "--out", dir.resolve("a").toString()));
        assertFalse(plain.contains("note:"), plain);
        String wide = CliRun.run(0, args("regroup", base, "--train-embeddings", f8.toString(), "--chunk-rows", "7", "--out", dir.resolve("b").toString()));
        assertTrue(wide.contains("note: f8.npy: float64 converted to float32"), wide);
        String half = CliRun.run(0, args("regroup", base, "--train-embeddings", f2.toString(), "--chunk-rows", "7", "--out", dir.resolve("c").toString()));
        assertTrue(half.contains("note: f2.npy: float16 converted to float32, big-endian values converted to little-endian, "
                + "Fortran-order array transposed to row-major"), half);
        String assigned = Files.readString(dir.resolve("a/train_domains.txt"));
        assertEquals(assigned, Files.readString(dir.resolve("b/train_domains.txt")));
        assertEquals(assigned, Files.readString(dir.resolve("c/train_domains.txt")));
    }

    @Test
    void oneNanFailsTheChunkedPathAsItFailsTheInMemoryOne() throws IOException {
        int n = 200, d = 8;
        float[] x = new float[n * d];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        x[5 * d + 3] = Float.NaN;
        Path nan = Files.write(dir.resolve("E.npy"), Npy.encode(n, d, x));
        String chunked = CliRun.fails(ExitCodes.BAD_INPUT, dir.resolve("o"), "regroup", "--train-embeddings", nan.toString(),
                "--chunk-rows", "64", "--backend", "cpu", "--out", dir.resolve("o").toString());
        assertTrue(chunked.contains("E.npy: row 5, column 3 is NaN (embeddings must be finite)"), chunked);
        // As evaluation rows too: read before any output is written.
        Path good = Files.write(dir.resolve("G.npy"), Npy.encode(n, d, new float[n * d]));
        String eval = CliRun.fails(ExitCodes.BAD_INPUT, dir.resolve("o"), "regroup", "--train-embeddings", good.toString(),
                "--eval-embeddings", nan.toString(), "--chunk-rows", "64", "--backend", "cpu", "--out", dir.resolve("o").toString());
        assertTrue(eval.contains("E.npy: row 5, column 3 is NaN"), eval);
    }
}
