package dev.rnb.data;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MixtureSampler#next}'s rows under a grouped p' from 2^16 domains on
 * (rnb:hier's training path, whose members are read ahead, a group of
 * sequences at a time and the next group's beside this one's slots), bit for
 * bit those of drawing one sequence after another (a domain from the table,
 * an example, an offset), the generator in the same state after each batch:
 * ragged batches across the groups drawn ahead (and a batch of one, one of
 * two whole groups, one of a group and part of one), examples shorter and
 * longer than T + 1 bytes (drawing ahead then guesses wrong), or all longer
 * (no guess wrong: each group finds its members read by the group before,
 * the path of a corpus of long documents), domains without examples, and
 * between batches domain draws, a restored generator state and a new p',
 * each of which leaves the members read for another state.
 */
class GroupedBatchDrawsTest {

    @Test
    void groupedBatchesAreTheOneByOneDraws() {
        SplittableRandom rng = new SplittableRandom(113);
        int k = GroupedMixtureSamplerTest.K;
        for (int trial = 0; trial < 6; trial++) {
            int T = 1 + rng.nextInt(trial % 3 == 0 ? 3 : 70);
            ByteDataset data = trial % 3 == 2
                    ? SparseMixtureSamplerTest.dataset(k, d -> d % 13 == 5, T + 2, T + 2 + rng.nextInt(2 * T + 2), rng)
                    : SparseMixtureSamplerTest.dataset(k, d -> d % 13 == 5, 1 + rng.nextInt(3 * T + 3), rng);
            DomainGroups groups = GroupedMixtureSamplerTest.randomGroups(k, rng);
            // Besides ragged batches: one of two whole groups, one of one sequence, and one of a group and part of
            // another (the next batch's first group then larger than the part that read its members).
            int batch = switch (trial) {
                case 2 -> 2 * MixtureSampler.AHEAD;
                case 3 -> 1;
                case 5 -> MixtureSampler.AHEAD + 1 + rng.nextInt(MixtureSampler.AHEAD - 1);
                default -> 1 + rng.nextInt(3 * MixtureSampler.AHEAD);
            };
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
                if (step % 2 == 1) SparseMixtureSamplerTest.drawOneByOne(data, table::draw, batch, T, reference); // drawn, then reused, above
                SparseMixtureSamplerTest.assertSameBatch(SparseMixtureSamplerTest.drawOneByOne(data, table::draw, batch, T, reference), got, what);
                assertEquals(reference.state(), sampler.rngState(), what + ": generator state");
            }
        }
    }
}
