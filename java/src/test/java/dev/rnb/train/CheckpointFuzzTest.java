package dev.rnb.train;

import dev.rnb.data.DomainProportions;
import dev.rnb.data.StoredProportions;
import dev.rnb.model.GptConfig;
import dev.rnb.testing.InputErrors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jazzer target for the checkpoint reader. Each input is decoded as it is
 * and with its CRC32C recomputed, so that mutations reach the field parser
 * behind the checksum: it reads, or is a one-line {@link CheckpointException}.
 * Anything else is a finding. Seeds ({@code CheckpointFuzzTestInputs/checkpoint/})
 * are valid checkpoints of two tiny models; the plain tests below are the
 * crashes fuzzing found, kept as regressions.
 */
class CheckpointFuzzTest {
    @TempDir
    Path dir;

    static byte[] withFixedChecksum(byte[] in) {
        if (in.length < 8) return in;
        byte[] out = in.clone();
        CRC32C crc = new CRC32C();
        crc.update(out, 0, out.length - 8);
        ByteBuffer.wrap(out, out.length - 8, 8).putLong(crc.getValue());
        return out;
    }

    @FuzzTest
    void checkpoint(byte[] input) {
        for (byte[] candidate : new byte[][] {input, withFixedChecksum(input)}) {
            try {
                Checkpoint c = Checkpoint.decode("fuzz.bin", candidate);
                assertNotNull(c.extra());
                assertTrue(c.parameters() != null && c.moments() != null && c.proportions() != null);
            } catch (CheckpointException e) {
                InputErrors.assertOneLine("checkpoint fuzz.bin ", e);
            }
        }
    }

    /** Regression (found by Jazzer; the input is a seed too): fields cut short behind a valid checksum said "malformed: null". */
    @Test
    void truncatedFieldsSaySo() {
        byte[] magic = "RNBCKPT1".getBytes(StandardCharsets.US_ASCII);
        byte[] bad = withFixedChecksum(Arrays.copyOf(magic, magic.length + 4 + 8));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.decode("fuzz.bin", bad));
        InputErrors.assertOneLine("checkpoint fuzz.bin ", e);
        assertTrue(e.getMessage().endsWith("is truncated: its fields end before the checksum"), e.getMessage());
    }

    /** Regression: an extra-section length of 2^31-1 behind a valid checksum allocated it before checking the file. */
    @Test
    void aHugeExtraLengthIsAnErrorNotAnAllocation() throws IOException {
        Path f = dir.resolve("seed.bin");
        new Checkpoint(new GptConfig(8, 1, 2, 8), 2, 3, 42L, StoredProportions.of(DomainProportions.dense(new float[] {0.25f, 0.75f})), new float[5], new float[10],
                new byte[0]).write(f);
        byte[] bad = Files.readAllBytes(f);
        ByteBuffer.wrap(bad, bad.length - 12, 4).putInt(Integer.MAX_VALUE);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.decode("fuzz.bin", withFixedChecksum(bad)));
        assertTrue(e.getMessage().contains("extra section of 2147483647 bytes exceeds the file"), e.getMessage());
    }
}
