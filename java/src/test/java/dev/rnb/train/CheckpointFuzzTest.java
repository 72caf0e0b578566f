package dev.rnb.train;

import dev.rnb.model.GptConfig;
import dev.rnb.testing.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutation fuzzing of the checkpoint reader (see {@link Fuzz} for the knobs).
 * Half the mutated inputs get their checksum recomputed, so the field
 * parser behind the CRC is fuzzed too. Every input either reads or is a
 * one-line {@link CheckpointException}; nothing else may escape.
 */
class CheckpointFuzzTest {
    @TempDir
    Path dir;

    private byte[] valid(GptConfig c, int params, byte[] extra) throws IOException {
        Path f = dir.resolve("seed-" + params + ".bin");
        float[] p = new float[params], m = new float[2 * params];
        for (int i = 0; i < params; i++) p[i] = i * 0.25f - 1;
        new Checkpoint(c, 2, 3, 42L, new float[] {0.25f, 0.75f}, p, m, extra).write(f);
        return Files.readAllBytes(f);
    }

    static byte[] withFixedChecksum(byte[] in) {
        if (in.length < 8) return in;
        byte[] out = in.clone();
        CRC32C crc = new CRC32C();
        crc.update(out, 0, out.length - 8);
        ByteBuffer.wrap(out, out.length - 8, 8).putLong(crc.getValue());
        return out;
    }

    static void target(byte[] input) {
        for (byte[] candidate : new byte[][] {input, withFixedChecksum(input)}) {
            try {
                Checkpoint c = Checkpoint.decode("fuzz.bin", candidate);
                assertTrue(c.extra() != null && c.parameters() != null && c.moments() != null);
            } catch (CheckpointException e) {
                assertTrue(e.getMessage().startsWith("checkpoint fuzz.bin "), e.getMessage());
                assertEquals(-1, e.getMessage().indexOf('\n'), e.getMessage());
            }
        }
    }

    /** Regression: an extra-section length of 2^31-1 behind a valid checksum allocated it before checking the file. */
    @Test
    void aHugeExtraLengthIsAnErrorNotAnAllocation() throws IOException {
        byte[] ok = valid(new GptConfig(8, 1, 2, 8), 5, new byte[0]);
        byte[] bad = ok.clone();
        ByteBuffer.wrap(bad, bad.length - 12, 4).putInt(Integer.MAX_VALUE);
        CheckpointException e = org.junit.jupiter.api.Assertions.assertThrows(CheckpointException.class,
                () -> Checkpoint.decode("fuzz.bin", withFixedChecksum(bad)));
        assertTrue(e.getMessage().contains("extra section of 2147483647 bytes exceeds the file"), e.getMessage());
    }

    @Test
    void everyInputReadsOrIsAOneLineCheckpointError() throws IOException {
        List<byte[]> seeds = List.of(valid(new GptConfig(8, 1, 2, 8), 5, new byte[0]),
                valid(new GptConfig(16, 2, 4, 16), 17, new byte[] {1, 2, 3, 4, 5}));
        Fuzz.Stats s = Fuzz.run("Checkpoint", seeds, CheckpointFuzzTest::target);
        assertTrue(s.inputs() > seeds.size());
    }
}
