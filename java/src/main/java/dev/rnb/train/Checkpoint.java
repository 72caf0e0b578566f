package dev.rnb.train;

import dev.rnb.data.StoredProportions;
import dev.rnb.model.GptConfig;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Everything a training run needs to continue bit-identically: the model's
 * shape, batch size, the step, the sampler's generator state and proportions,
 * the parameters, AdamW's moments, and a free-form byte section for the
 * mixing method's state.
 *
 * <p>File format (big-endian): magic "RNBCKPT2", then the fields in the order
 * of this record, the proportions in their own form ({@link StoredProportions}:
 * O(t) bytes for R&amp;B's sparse p' at many domains, not k floats), then a
 * CRC32C of everything before it. Files of the first format, "RNBCKPT1"
 * (the proportions as k floats), still read: their proportions come back
 * dense. Written to a temporary file in the same folder, forced to disk, then
 * renamed over the target, so a crash leaves the old checkpoint or the new
 * one, never half of one; temporary files a killed writer left behind are
 * removed by the next write. Reading a file that is missing, short, has
 * another magic or a wrong checksum, or whose fields do not parse, is a
 * {@link CheckpointException} that says so in one line, naming the file and,
 * for a field that does not parse, the field.
 */
public record Checkpoint(GptConfig config, int batch, int step, long samplerState, StoredProportions proportions,
                         float[] parameters, float[] moments, byte[] extra) {
    private static final byte[] MAGIC = "RNBCKPT2".getBytes(StandardCharsets.US_ASCII);
    /** The first format: the same fields, the proportions as k floats. */
    private static final byte[] MAGIC_V1 = "RNBCKPT1".getBytes(StandardCharsets.US_ASCII);

    public void write(Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeInt(config.context());
            out.writeInt(config.layers());
            out.writeInt(config.heads());
            out.writeInt(config.channels());
            out.writeInt(batch);
            out.writeInt(step);
            out.writeLong(samplerState);
            proportions.write(out);
            writeFloats(out, parameters);
            writeFloats(out, moments);
            out.writeInt(extra.length);
            out.write(extra);
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        removeStaleTemporaries(dir, file.getFileName().toString());
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Temporary files of earlier writes of {@code name} that a killed process could not remove. */
    private static void removeStaleTemporaries(Path dir, String name) throws IOException {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(name) && n.endsWith(".tmp") && n.length() > name.length() + 4;
        })) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Throws unless this checkpoint was written for {@code config} and {@code batch}. */
    public void checkCompatible(Path file, GptConfig config, int batch) throws CheckpointException {
        if (!this.config.equals(config) || this.batch != batch) {
            throw new CheckpointException("checkpoint " + file + " is for another model: " + describe(this.config, this.batch)
                    + ", this run is " + describe(config, batch));
        }
    }

    private static String describe(GptConfig c, int batch) {
        return "layers " + c.layers() + ", width " + c.channels() + ", heads " + c.heads() + ", context " + c.context() + ", batch " + batch;
    }

    private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.BIG_ENDIAN);
        buf.asFloatBuffer().put(v);
        out.write(buf.array());
    }

    public static Checkpoint read(Path file) throws CheckpointException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("checkpoint " + file + " does not exist");
        } catch (IOException | OutOfMemoryError e) {
            throw new CheckpointException("checkpoint " + file + " cannot be read (" + e.getMessage() + ")", e);
        }
        return decode(file.toString(), all);
    }

    /** Parses the bytes of a checkpoint file named {@code file} in errors (tests and fuzzing call this directly). */
    static Checkpoint decode(String file, byte[] all) throws CheckpointException {
        // Never Arrays.equals on null: Jazzer's hook of it dereferences both arrays in native code (a SIGSEGV, not false).
        byte[] magic = Arrays.copyOf(all, MAGIC.length);
        boolean v1 = Arrays.equals(magic, MAGIC_V1);
        if (all.length < MAGIC.length + 8 || !v1 && !Arrays.equals(magic, MAGIC)) {
            throw new CheckpointException("checkpoint " + file + " is not an rnb checkpoint (bad magic or too short)");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 8);
        long stored = ByteBuffer.wrap(all, all.length - 8, 8).getLong();
        if (crc.getValue() != stored) {
            throw new CheckpointException("checkpoint " + file + " is corrupt (checksum mismatch)");
        }
        ByteBuffer in = ByteBuffer.wrap(all, MAGIC.length, all.length - 8 - MAGIC.length);
        String field = "config";
        try {
            GptConfig config = new GptConfig(in.getInt(), in.getInt(), in.getInt(), in.getInt());
            field = "batch";
            int batch = in.getInt();
            field = "step";
            int step = in.getInt();
            field = "samplerState";
            long state = in.getLong();
            field = "proportions";
            StoredProportions proportions = v1 ? StoredProportions.readFirstFormat(in) : StoredProportions.read(in);
            field = "parameters";
            float[] parameters = readFloats(in);
            field = "moments";
            float[] moments = readFloats(in);
            field = "extra";
            int extraLength = in.getInt();
            if (extraLength < 0 || extraLength > in.remaining()) {
                throw new CheckpointException("checkpoint " + file + " is malformed: extra section of " + extraLength
                        + " bytes exceeds the file");
            }
            byte[] extra = new byte[extraLength];
            in.get(extra);
            if (in.hasRemaining()) {
                throw new CheckpointException("checkpoint " + file + " has " + in.remaining() + " unexpected trailing bytes");
            }
            return new Checkpoint(config, batch, step, state, proportions, parameters, moments, extra);
        } catch (BufferUnderflowException e) { // has no message of its own
            throw new CheckpointException("checkpoint " + file + " is truncated: its fields end before the checksum", e);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("checkpoint " + file + " is malformed: field " + field + ": " + e.getMessage(), e);
        }
    }

    private static float[] readFloats(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || (long) n * Float.BYTES > in.remaining()) {
            throw new IllegalArgumentException("array length " + n + " exceeds the file");
        }
        float[] v = new float[n];
        in.asFloatBuffer().get(v);
        in.position(in.position() + n * Float.BYTES);
        return v;
    }
}
