package dev.rnb.embed;

import dev.rnb.data.Npy;
import dev.rnb.regroup.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Embeddings already computed, one .npy file per (model, texts) pair in a
 * folder: the file name is the SHA-256 of the model's identity and every
 * text in order, so a second k sweep over the same input reads its
 * embeddings instead of running the model again, and any change of model,
 * settings or text makes a new entry.
 */
final class EmbeddingCache {
    private final Path dir;

    EmbeddingCache(Path dir) {
        this.dir = dir;
    }

    Path file(String modelIdentity, List<String> texts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(modelIdentity.getBytes(StandardCharsets.UTF_8));
            ByteBuffer length = ByteBuffer.allocate(Integer.BYTES);
            for (String t : texts) {
                byte[] b = t.getBytes(StandardCharsets.UTF_8);
                sha.update(length.clear().putInt(b.length).array());   // length-prefixed: no two lists hash alike
                sha.update(b);
            }
            return dir.resolve(HexFormat.of().formatHex(sha.digest()) + ".npy");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** The cached rows x dims matrix at {@code file}, or null when there is none of that shape. */
    static float[] read(Path file, int rows, int dims) {
        if (!Files.isRegularFile(file)) return null;
        try {
            Npy.Matrix m = Npy.read(file);
            return m.rows() == rows && m.cols() == dims ? m.data() : null;
        } catch (RuntimeException unreadable) {
            return null;   // a damaged entry is recomputed and replaced
        }
    }

    static void write(Path file, int rows, int dims, float[] data) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the embedding cache " + file.getParent() + ": " + e.getMessage(), e);
        }
        AtomicFiles.write(file, Npy.encode(rows, dims, data));
    }
}
