package dev.rnb.data;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MixtureSampler#next}'s rows under a grouped p' from 2^16 domains on
 * (rnb:hier's training path, whose members are read ahead, a group of
 * sequences at a time and the next group's beside this one's slots), bit for
 * bit those of drawing one sequence after another (a domain from the table,
 * an example, an offset), the generator in the same state after each batch:
 * ragged batches across the groups drawn ahead, examples shorter and longer
 * than T + 1 bytes (drawing ahead then guesses wrong), domains without
 * examples, and between batches domain draws, a restored generator state and
 * a new p', each of which leaves the members read for another state.
 */
class GroupedBatchDrawsTest {

    @Test
    void groupedBatchesAreTheOneByOneDraws() {
        SplittableRandom rng = new SplittableRandom(113);
        int k = GroupedMixtureSamplerTest.K;
        for (int trial = 0; trial < 4; trial++) {
            int T = 1 + rng.nextInt(trial % 2 == 0 ? 3 : 70);
            ByteDataset data = SparseMixtureSamplerTest.dataset(k, d -> d % 13 == 5, 1 + rng.nextInt(3 * T + 3), rng);
            DomainGroups groups = GroupedMixtureSamplerTest.randomGroups(k, rng);
            int batch = 1 + rng.nextInt(3 * MixtureSampler.AHEAD);
            long seed = rng.nextLong();
            MixtureSampler sampler = new MixtureSampler(data, batch, T, seed);
            SparseMixtureTable table = new SparseMixtureTable(k, d -> data.countOf(d) > 0);
            SeededRandom reference = new SeededRandom(seed);
            for (int step = 0; step < 8; step++) {
                String what = "trial " + trial + ", T = " + T + ", batch of " + batch + ", step " + step;
                if (step % 4 == 0) {
                    DomainProportions p = GroupedMixtureSamplerTest.randomGrouped(groups, 20 + rng.nextInt(600), rng);
                    sampler.setProportions(p);
                    assertTrue(table.rebuildGrouped(p), what);
                    assertTrue(sampler.usesSparseTable() && table.isGrouped(), what);
                } else if (step % 4 == 1) {
                    int[] domains = new int[1 + rng.nextInt(300)];
                    sampler.drawDomains(domains);
                    for (int i = 0; i < domains.length; i++) assertEquals(table.draw(reference), domains[i], what + ", domain draw " + i);
                } else if (step % 4 == 2) {
                    long state = rng.nextLong();
                    sampler.setRngState(state);
                    reference.setState(state);
                }
                Batch got = step % 2 == 0 ? sampler.next() : sampler.next(sampler.next());
                if (step % 2 == 1) oneByOne(data, table, batch, T, reference); // the batch drawn, then reused, above
                Batch want = oneByOne(data, table, batch, T, reference);
                assertArrayEquals(want.domainOfSequence(), got.domainOfSequence(), what + ": domains");
                assertArrayEquals(want.tokens(), got.tokens(), what + ": tokens");
                assertArrayEquals(want.targets(), got.targets(), what + ": targets");
                assertArrayEquals(want.weights(), got.weights(), what + ": mask");
                assertEquals(reference.state(), sampler.rngState(), what + ": generator state");
            }
        }
    }

    /** One sequence after another: a domain, an example in it, an offset when the example is longer than T + 1 bytes. */
    private static Batch oneByOne(ByteDataset data, SparseMixtureTable table, int batch, int T, SeededRandom rng) {
        int n = batch * T;
        float[] tokens = new float[n], targets = new float[n], mask = new float[n];
        int[] domainOfRow = new int[n], domainOfSequence = new int[batch];
        int valid = 0;
        for (int b = 0; b < batch; b++) {
            int d = table.draw(rng);
            byte[] bytes = data.bytesOf(d, rng.nextInt(data.countOf(d)));
            int offset = bytes.length > T + 1 ? rng.nextInt(bytes.length - T) : 0;
            domainOfSequence[b] = d;
            for (int t = 0; t < T; t++) {
                int r = b * T + t;
                domainOfRow[r] = d;
                if (offset + t + 1 < bytes.length) {
                    tokens[r] = bytes[offset + t] & 0xFF;
                    targets[r] = bytes[offset + t + 1] & 0xFF;
                    mask[r] = 1f;
                    valid++;
                } else if (offset + t < bytes.length) {
                    tokens[r] = bytes[offset + t] & 0xFF;
                }
            }
        }
        if (valid > 0) {
            for (int i = 0; i < n; i++) mask[i] /= valid;
        }
        return new Batch(batch, T, tokens, targets, mask, domainOfRow, domainOfSequence, valid);
    }
}
