package dev.rnb.train;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.DomainGroups;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.StoredProportions;
import dev.rnb.model.GptConfig;
import dev.rnb.testing.InputErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checkpoint file's proportions field (RNBCKPT2): sparse proportions at
 * 10^6 domains stay O(t) bytes on disk and come back in their form; a file
 * of the first format (RNBCKPT1, k floats) still reads; a malformed field is
 * an error naming the file and the field; grouped proportions restore only
 * against the run's groups, and a refused restore leaves the trainer as it was.
 */
class CheckpointFormatTest {
    static final GptConfig SHAPE = new GptConfig(8, 1, 2, 8);

    @TempDir
    Path dir;

    @Test
    void sparseProportionsAtAMillionDomainsStayTheirSize() throws IOException {
        SplittableRandom rng = new SplittableRandom(9);
        int k = 1_000_000, t = 320;
        int[] listed = rng.ints(0, k).distinct().limit(t).toArray();
        float[] values = new float[t];
        for (int i = 0; i < t; i++) values[i] = (float) rng.nextDouble() * 1e-3f;
        DomainProportions p = DomainProportions.sparse(k, listed, values, 1e-6f);
        Path f = dir.resolve("sparse.bin");
        new Checkpoint(SHAPE, 2, 5, 7L, StoredProportions.of(p), new float[3], new float[6], new byte[] {4}).write(f);
        assertTrue(Files.size(f) < 4_000, "t values and one shared, not k floats: " + Files.size(f) + " bytes");
        DomainProportions back = Checkpoint.read(f).proportions().bind(null);
        assertTrue(back.isSparse());
        assertEquals(t, back.listedCount());
        assertEquals(1e-6f, back.rest());
        for (int i = 0; i < t; i++) {
            assertEquals(listed[i], back.listedDomain(i));
            assertEquals(values[i], back.listedValue(i));
        }
    }

    /** A file as the first format wrote it: magic RNBCKPT1, the fields, the proportions as k floats, CRC32C. */
    static byte[] firstFormat(float[] proportions, float[] parameters, float[] moments, byte[] extra) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write("RNBCKPT1".getBytes(StandardCharsets.US_ASCII));
            for (int x : new int[] {SHAPE.context(), SHAPE.layers(), SHAPE.heads(), SHAPE.channels(), 2, 5}) out.writeInt(x);
            out.writeLong(7L);
            for (float[] v : new float[][] {proportions, parameters, moments}) {
                out.writeInt(v.length);
                for (float x : v) out.writeFloat(x);
            }
            out.writeInt(extra.length);
            out.write(extra);
        }
        byte[] body = bytes.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body);
        return ByteBuffer.allocate(body.length + 8).put(body).putLong(crc.getValue()).array();
    }

    @Test
    void aFileOfTheFirstFormatStillReads() throws Exception {
        float[] p = {0.125f, 0.5f, 0.375f};
        Checkpoint c = Checkpoint.decode("old.bin", firstFormat(p, new float[] {1, 2}, new float[] {3, 4, 5, 6}, new byte[] {9, 8}));
        assertEquals(5, c.step());
        assertEquals(7L, c.samplerState());
        assertArrayEquals(p, c.proportions().bind(null).toArray());
        assertArrayEquals(new float[] {1, 2}, c.parameters());
        assertArrayEquals(new float[] {3, 4, 5, 6}, c.moments());
        assertArrayEquals(new byte[] {9, 8}, c.extra());
    }

    /**
     * The first format's proportions are checked as the second's dense ones:
     * a value that is not a proportion, or no domain, is a malformed field
     * named at reading (before the fix such a file read, and a NaN was found
     * only by the sampler at restore, or k = 0 was said "cannot be stored").
     */
    @Test
    void aFirstFormatFileWithoutProportionsIsMalformed() throws Exception {
        java.util.Random random = new java.util.Random();
        for (float bad : new float[] {Float.NaN, -0.25f, Float.POSITIVE_INFINITY}) {
            float[] p = new float[1 + random.nextInt(9)];
            for (int i = 0; i < p.length; i++) p[i] = random.nextFloat();
            int at = random.nextInt(p.length);
            p[at] = bad;
            byte[] file = firstFormat(p, new float[] {1, 2}, new float[] {3, 4, 5, 6}, new byte[0]);
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.decode("old.bin", file));
            InputErrors.assertOneLine("checkpoint old.bin ", e);
            assertTrue(e.getMessage().contains("is malformed: field proportions: the proportion of domain " + at + " is " + bad),
                    e.getMessage());
        }
        byte[] none = firstFormat(new float[0], new float[] {1, 2}, new float[] {3, 4, 5, 6}, new byte[0]);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.decode("old.bin", none));
        assertTrue(e.getMessage().contains("is malformed: field proportions: the proportions are over 0 domains"), e.getMessage());
    }

    @Test
    void aMalformedProportionsFieldNamesTheFileAndTheField() throws IOException {
        Path f = dir.resolve("bad.bin");
        new Checkpoint(SHAPE, 2, 5, 7L, StoredProportions.of(DomainProportions.sparse(10, new int[] {3, 4}, new float[] {0.2f, 0.3f}, 0.0625f)),
                new float[3], new float[6], new byte[0]).write(f);
        byte[] bytes = Files.readAllBytes(f);
        int at = 8 + 6 * 4 + 8 + 1 + 4 + 4; // after the magic, six ints and a long, the form, k and t: the first listed domain
        ByteBuffer.wrap(bytes, at, 4).putInt(4); // domain 4 listed twice
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Checkpoint.decode("bad.bin", CheckpointFuzzTest.withFixedChecksum(bytes)));
        InputErrors.assertOneLine("checkpoint bad.bin ", e);
        assertTrue(e.getMessage().contains("is malformed: field proportions: domain 4 is listed twice"), e.getMessage());
    }

    /** Two domains of one example each. */
    static ByteDataset twoDomains() {
        return new ByteDataset(java.util.List.of(new dev.rnb.data.TrainingExample("abcdefghijklmnop".getBytes(StandardCharsets.UTF_8), 0),
                new dev.rnb.data.TrainingExample("qrstuvwxyz012345".getBytes(StandardCharsets.UTF_8), 1)), java.util.List.of("a", "b"));
    }

    @Test
    void groupedProportionsRestoreOnlyAgainstTheRunsGroupsAndARefusalChangesNothing() throws IOException {
        DomainGroups groups = new DomainGroups(new int[] {0, 1}, 2);
        Path f = dir.resolve("grouped.bin");
        try (Backend b = Backends.open("cpu")) {
            TrainOptions o = TrainOptions.defaults(4, 2, 3);
            try (Trainer t = new Trainer(b, SHAPE, o, twoDomains())) {
                t.setProportions(DomainProportions.grouped(groups, new int[] {1}, new float[] {0.75f}, new float[] {0.25f, 0f}));
                t.trainStep();
                t.save(f, new byte[0]);
            }
            try (Trainer t = new Trainer(b, SHAPE, o, twoDomains())) {
                DomainProportions before = t.sampler().mixture();
                float[] params = t.snapshot();
                Checkpoint c = Checkpoint.read(f);
                CheckpointException none = assertThrows(CheckpointException.class, () -> t.restore(c, f, null));
                assertTrue(none.getMessage().startsWith("checkpoint " + f + " proportions are unusable: the proportions are grouped by 2 groups"),
                        none.getMessage());
                CheckpointException other = assertThrows(CheckpointException.class,
                        () -> t.restore(c, f, new DomainGroups(new int[] {0, 0}, 1)));
                assertTrue(other.getMessage().contains("another partition"), other.getMessage());
                assertSame(before, t.sampler().mixture(), "the sampler's proportions as they were");
                assertEquals(0, t.step());
                assertTrue(Arrays.equals(params, t.snapshot()), "the parameters as they were");

                t.restore(c, f, new DomainGroups(new int[] {0, 1}, 2)); // the same partition, another object
                assertTrue(t.sampler().mixture().isGrouped());
                assertArrayEquals(new float[] {0.25f, 0.75f}, t.sampler().proportions());
                assertEquals(1, t.step());
            }
        }
    }
}
