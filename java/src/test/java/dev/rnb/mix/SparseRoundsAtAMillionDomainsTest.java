package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.balance.SketchSpec;
import dev.rnb.data.Batch;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.MixtureSampler;
import dev.rnb.data.TrainingExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * R&amp;B's rounds at 10^6 domains as training runs them: each step's batch
 * drawn by the sampler, accumulated by the strategy (CountSketch), p' handed
 * sparse from the balancer through the strategy to the sampler; and a
 * checkpoint mid-round (the strategy's state, the sampler's proportions as
 * stored, all k, and its generator) resuming to the same p' and batches.
 * The timeout is against anything O(k^2) or O(k) per draw.
 */
class SparseRoundsAtAMillionDomainsTest {
    static final int K_DOMAINS = 1_000_000, H = 4, V = 6, B = 16, T = 8, STEPS = 3, ROUNDS = 3;

    static float[] gaussian(int n, SplittableRandom rng) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    /** One step: a batch from the sampler, random H and E for its rows (seeded by round and step), accumulated. */
    static Batch step(RnbStrategy s, MixtureSampler sampler, int round, int step) {
        Batch batch = sampler.next();
        SplittableRandom rng = new SplittableRandom(1000L * round + step);
        s.accumulate(gaussian(B * T * H, rng), gaussian(B * T * V, rng), batch.domainOfRow(), B * T);
        return batch;
    }

    @Test
    @Timeout(300)
    void roundsStaySparseFromTheBalancerToTheSamplerAndResumeIdentically() {
        List<TrainingExample> ex = new ArrayList<>(K_DOMAINS);
        List<String> names = new ArrayList<>(K_DOMAINS);
        byte[] text = "a million domains, one example each".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int d = 0; d < K_DOMAINS; d++) {
            names.add(Integer.toString(d));
            if (d % 13 != 0) ex.add(new TrainingExample(text, d)); // every 13th domain has no examples
        }
        ByteDataset data = new ByteDataset(ex, names);
        SplittableRandom rng = new SplittableRandom(71);
        float[] eval = new float[K_DOMAINS];
        for (int d = 0; d < K_DOMAINS; d++) eval[d] = rng.nextInt(4) == 0 ? 0f : (float) rng.nextDouble();

        try (Backend b = Backends.open("cpu");
             RnbStrategy s = new RnbStrategy(b, K_DOMAINS, H, V, eval, 20f, SketchSpec.count(16), STEPS, 3);
             RnbStrategy resumed = new RnbStrategy(b, K_DOMAINS, H, V, eval, 20f, SketchSpec.count(16), STEPS, 3)) {
            MixtureSampler sampler = new MixtureSampler(data, B, T, 17);
            byte[] state = null;
            float[] storedProportions = null;
            long storedRng = 0;
            float[] lastP = null;
            for (int round = 0; round < ROUNDS; round++) {
                Set<Integer> touched = new HashSet<>();
                for (int st = 0; st < STEPS; st++) {
                    if (round == ROUNDS - 1 && st == 1) { // a checkpoint mid-round, as Trainer.save and the strategy write it
                        state = s.saveState();
                        storedProportions = sampler.proportions();
                        storedRng = sampler.rngState();
                    }
                    for (int d : step(s, sampler, round, st).domainOfSequence()) {
                        assertTrue(data.countOf(d) > 0, "domain " + d + " has no examples");
                        touched.add(d);
                    }
                }
                DomainProportions p = s.endRound();
                assertTrue(p.isSparse(), "round " + round + ": p' stays sparse");
                assertEquals(touched.size(), p.listedCount(), "round " + round + ": one value per touched domain");
                double sum = (double) p.rest() * (K_DOMAINS - p.listedCount());
                for (int i = 0; i < p.listedCount(); i++) {
                    assertTrue(touched.contains(p.listedDomain(i)));
                    sum += p.listedValue(i);
                }
                assertEquals(1.0, sum, 1e-4, "round " + round + ": p' sums to 1");
                assertTrue(p.rest() > 0);
                sampler.setProportions(p);
                lastP = p.toArray();
            }
            Batch after = sampler.next();

            // Resume: the strategy from its state, a fresh sampler from the stored proportions (all k) and generator.
            resumed.restoreState(state);
            MixtureSampler again = new MixtureSampler(data, B, T, 0);
            again.setProportions(storedProportions);
            again.setRngState(storedRng);
            for (int st = 1; st < STEPS; st++) step(resumed, again, ROUNDS - 1, st);
            assertTheRoundEndsAsBefore(resumed, again, lastP, after);
        }
    }

    /** The resumed run's round ends with the p' of the run it resumes (all k values) and its next batch. */
    static void assertTheRoundEndsAsBefore(RnbStrategy resumed, MixtureSampler again, float[] lastP, Batch after) {
        DomainProportions p = resumed.endRound();
        assertArrayEquals(lastP, p.toArray(), "p' after resuming");
        again.setProportions(p);
        Batch resumedAfter = again.next();
        assertArrayEquals(after.domainOfRow(), resumedAfter.domainOfRow(), "the next batch's domains after resuming");
        assertArrayEquals(after.tokens(), resumedAfter.tokens(), "the next batch's tokens after resuming");
    }
}
