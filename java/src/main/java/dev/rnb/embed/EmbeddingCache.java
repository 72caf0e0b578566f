package dev.rnb.embed;

import dev.rnb.data.Npy;
import dev.rnb.regroup.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Embeddings already computed, one .npy file per (model, set of texts) in a
 * folder. Each text is known by its SHA-256; the file holds one row per
 * distinct text in digest order and is named by the SHA-256 of the model's
 * identity and those digests. So the entry does not depend on the order of
 * the texts or on how they were split into training and evaluation (another
 * --seed or --eval-fraction reads it too), while any change of model,
 * settings or text makes a new entry.
 */
final class EmbeddingCache {
    private final Path dir;

    EmbeddingCache(Path dir) {
        this.dir = dir;
    }

    /** The entry for {@code texts}: its file and, for each text, its row in the file. */
    record Entry(Path file, int rows, int[] rowOfText) {
        /** The cached texts.size() x dims matrix (in text order), or null when there is none of that shape. */
        float[] read(int dims) {
            if (!Files.isRegularFile(file)) return null;
            Npy.Matrix m;
            try {
                m = Npy.read(file);
            } catch (RuntimeException unreadable) {
                return null;   // a damaged entry is recomputed and replaced
            }
            if (m.rows() != rows || m.cols() != dims) return null;
            float[] out = new float[rowOfText.length * dims];
            for (int i = 0; i < rowOfText.length; i++) System.arraycopy(m.data(), rowOfText[i] * dims, out, i * dims, dims);
            return out;
        }

        /** Stores {@code x} (texts.size() x dims, in text order). */
        void write(float[] x, int dims) {
            float[] rowsData = new float[rows * dims];
            for (int i = 0; i < rowOfText.length; i++) System.arraycopy(x, i * dims, rowsData, rowOfText[i] * dims, dims);
            try {
                Files.createDirectories(file.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the embedding cache " + file.getParent() + ": " + e.getMessage(), e);
            }
            AtomicFiles.write(file, Npy.encode(rows, dims, rowsData));
        }
    }

    Entry entry(String modelIdentity, List<String> texts) {
        String[] digests = new String[texts.size()];
        for (int i = 0; i < digests.length; i++) digests[i] = HexFormat.of().formatHex(sha256().digest(texts.get(i).getBytes(StandardCharsets.UTF_8)));
        String[] distinct = Arrays.stream(digests).sorted().distinct().toArray(String[]::new);
        int[] rowOfText = new int[digests.length];
        for (int i = 0; i < digests.length; i++) rowOfText[i] = Arrays.binarySearch(distinct, digests[i]);
        MessageDigest key = sha256();
        key.update(modelIdentity.getBytes(StandardCharsets.UTF_8));
        for (String d : distinct) key.update(d.getBytes(StandardCharsets.US_ASCII));
        return new Entry(dir.resolve(HexFormat.of().formatHex(key.digest()) + ".npy"), distinct.length, rowOfText);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
