package dev.rnb.mix;

import dev.rnb.data.Batch;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.MixtureSampler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rnb scale}'s whole-round store: one document per domain, each longer than T + 1 bytes, so no sequence is padded. */
class ScaleRunStoreTest {

    @Test
    void everySequenceIsAWindowOfOneDocument() {
        for (int T : new int[] {1, 3, 64, 100}) {
            int k = 97 + T;
            ByteDataset data = ScaleRun.documentPerDomain(k, T);
            assertEquals(k, data.domains());
            assertEquals(k, data.size());
            for (int d = 0; d < k; d++) {
                assertEquals(1, data.countOf(d), "domain " + d);
                int length = data.get(data.examplesOf(d)[0]).bytes().length;
                assertTrue(length > T + 1 && length <= T + 1 + Math.min(T, 64), "T = " + T + ": " + length + " bytes");
            }
            int sequences = 40;
            MixtureSampler sampler = new MixtureSampler(data, sequences, T, 5);
            sampler.setProportions(DomainProportions.uniform(k));
            for (int i = 0; i < 3; i++) {
                Batch b = sampler.next();
                assertEquals(sequences * T, b.validTargets(), "T = " + T + ": no position padded");
                for (int r = 0; r < sequences * T; r++) assertEquals(1f / (sequences * T), b.weights()[r]);
            }
        }
    }

    /** The corpus rows' store: the same documents (the same arrays, not copies) in every k, document i in domain i mod k. */
    @Test
    void oneCorpusIsSplitRoundRobinIntoKDomains() {
        byte[][] documents = ScaleRun.documents(1000, 64);
        for (int k : new int[] {1, 7, 10, 999, 1000}) {
            ByteDataset data = ScaleRun.inDomains(documents, k);
            assertEquals(k, data.domains());
            assertEquals(1000, data.size());
            for (int i = 0; i < 1000; i++) {
                assertSame(documents[i], data.get(i).bytes(), "k = " + k + ", document " + i);
                assertEquals(i % k, data.get(i).domain());
            }
            for (int d = 0; d < k; d++) {
                int count = data.countOf(d);
                assertTrue(count == 1000 / k || count == 1000 / k + 1, "k = " + k + ", domain " + d + ": " + count);
            }
        }
        for (byte[] document : ScaleRun.shortDocuments(50)) assertEquals("abcdefghi", new String(document, StandardCharsets.US_ASCII));
    }

    /** The floor counts each sequence's T + 1 example bytes on top of the rest (no k in it). */
    @Test
    void theRoundFloorCountsTheWindowsRead() {
        ScaleRun run = new ScaleRun(null, 8, 8, 16, 64, 20, 1, 1024, 0, 1);
        long withoutWindows = 20L * 16 * 64 * 16 * 4 + 2L * 320 * 1024 * 4 + 20L * 16 * 64 * 16 + 32L * 320;
        assertEquals(withoutWindows + 20L * 16 * 65, run.roundFloorBytes(320, 1024));
    }

    /** Counting only a sketch row's live lines takes 2 x touched x the dead floats off the floor, nothing else. */
    @Test
    void theRoundFloorCountsTheLiveSketchFloats() {
        ScaleRun run = new ScaleRun(null, 8, 8, 16, 64, 20, 1, 1024, 0, 1);
        assertEquals(2L * 320 * (1024 - 640) * 4, run.roundFloorBytes(320, 1024) - run.roundFloorBytes(320, 640));
    }
}
