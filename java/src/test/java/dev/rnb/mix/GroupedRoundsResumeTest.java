package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.balance.SketchSpec;
import dev.rnb.data.Batch;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.MixtureSampler;
import dev.rnb.data.StoredProportions;
import dev.rnb.data.TrainingExample;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rnb:hier} at many domains as training runs it: each step's batch
 * drawn by the sampler, accumulated by the strategy, p' grouped from the
 * balancer through the strategy to the sampler (one value per touched domain,
 * per finest group for the others); and a checkpoint mid-round (the
 * strategy's state, the sampler's proportions in their own form, bound to the
 * groups the strategy's state restored, as {@code MixedRun.resume} does, and its generator)
 * resuming to the same batches and p', bit for bit.
 */
class GroupedRoundsResumeTest {
    static final int K_DOMAINS = MixtureSampler.SPARSE_MIN_DOMAINS + 999, STEPS = 3, ROUNDS = 3;
    /** The shapes of {@link SparseRoundsAtAMillionDomainsTest}, whose step this test takes. */
    static final int H = SparseRoundsAtAMillionDomainsTest.H, V = SparseRoundsAtAMillionDomainsTest.V,
            B = SparseRoundsAtAMillionDomainsTest.B, T = SparseRoundsAtAMillionDomainsTest.T;

    private static Batch step(RnbStrategy s, MixtureSampler sampler, int round, int step) {
        return SparseRoundsAtAMillionDomainsTest.step(s, sampler, round, step);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8", "4/6", "8+carry", "4/6+carry"})
    void groupedRoundsResumeIdentically(String spec) {
        boolean carry = spec.endsWith("+carry");
        int[] branching = Arrays.stream(spec.replace("+carry", "").split("/")).mapToInt(Integer::parseInt).toArray();
        List<TrainingExample> ex = new ArrayList<>(K_DOMAINS);
        List<String> names = new ArrayList<>(K_DOMAINS);
        byte[] text = "many domains, one example each".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int d = 0; d < K_DOMAINS; d++) {
            names.add(Integer.toString(d));
            if (d % 13 != 0) ex.add(new TrainingExample(text, d));
        }
        ByteDataset data = new ByteDataset(ex, names);
        SplittableRandom rng = new SplittableRandom(spec.hashCode());
        float[] eval = new float[K_DOMAINS];
        for (int d = 0; d < K_DOMAINS; d++) eval[d] = rng.nextInt(4) == 0 ? 0f : (float) rng.nextDouble();
        DomainHierarchy hierarchy = new DomainHierarchy(DomainHierarchy.build(K_DOMAINS, branching, DomainHierarchy::blocks, 5), "test");
        float keep = carry ? 0.5f : Float.NaN;
        try (Backend b = Backends.open("cpu");
             RnbStrategy s = new RnbStrategy(b, K_DOMAINS, H, V, eval, 1f, SketchSpec.count(16), STEPS, 3, 0f, keep, hierarchy, null, false, 0f);
             RnbStrategy resumed = new RnbStrategy(b, K_DOMAINS, H, V, eval, 1f, SketchSpec.count(16), STEPS, 3, 0f, keep, hierarchy, null, false, 0f)) {
            MixtureSampler sampler = new MixtureSampler(data, B, T, 17);
            byte[] state = null;
            StoredProportions storedProportions = null;
            long storedRng = 0;
            List<Batch> wanted = new ArrayList<>();
            float[] lastP = null;
            Set<Integer> seen = new HashSet<>(), listedBefore = new HashSet<>();
            for (int round = 0; round < ROUNDS; round++) {
                Set<Integer> touched = new HashSet<>();
                for (int st = 0; st < STEPS; st++) {
                    if (round == ROUNDS - 1 && st == 1) {
                        state = s.saveState();
                        storedProportions = StoredProportions.of(sampler.mixture().compact()); // as Trainer.save stores them
                        storedRng = sampler.rngState();
                    }
                    Batch batch = step(s, sampler, round, st);
                    if (round == ROUNDS - 1 && st >= 1) wanted.add(batch);
                    for (int d : batch.domainOfSequence()) touched.add(d);
                }
                seen.addAll(touched);
                DomainProportions p = s.endRound();
                assertTrue(p.isGrouped(), "round " + round + ": p' is grouped");
                // Listed: the touched domains, with carried scores the seen ones, and where a group kept its split (a zero
                // G p) the ones listed before in it.
                Set<Integer> mayList = new HashSet<>(carry ? seen : touched);
                mayList.addAll(listedBefore);
                listedBefore.clear();
                for (int i = 0; i < p.listedCount(); i++) {
                    assertTrue(mayList.contains(p.listedDomain(i)), "round " + round + ": domain " + p.listedDomain(i) + " listed");
                    listedBefore.add(p.listedDomain(i));
                }
                assertTrue(touched.size() > B, "round " + round + ": a spread mixture (" + touched.size() + " domains drawn)");
                assertEquals(1.0, Arrays.stream(toDouble(p.toArray())).sum(), 1e-4, "round " + round + ": p' sums to 1");
                sampler.setProportions(p);
                lastP = p.toArray();
            }
            Batch after = sampler.next();

            MixingStrategy.RestoredState read = resumed.readState(state);
            read.apply();
            DomainProportions form = storedProportions.bind(read.groups()); // as MixedRun.resume binds them
            assertTrue(form.isGrouped(), "the checkpoint restores the grouped form");
            MixtureSampler again = new MixtureSampler(data, B, T, 0), denseOnly = new MixtureSampler(data, B, T, 0);
            again.setProportions(form);
            again.setRngState(storedRng);
            denseOnly.setProportions(form.toArray());
            denseOnly.setRngState(storedRng);
            assertFalse(Arrays.equals(wanted.get(0).domainOfRow(), denseOnly.next().domainOfRow()),
                    "the k values alone are drawn from another table: the form matters");
            for (int st = 1; st < STEPS; st++) {
                Batch batch = step(resumed, again, ROUNDS - 1, st);
                assertArrayEquals(wanted.get(st - 1).domainOfRow(), batch.domainOfRow(), "step " + st + " after resuming");
            }
            SparseRoundsAtAMillionDomainsTest.assertTheRoundEndsAsBefore(resumed, again, lastP, after);
        }
    }

    private static double[] toDouble(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i];
        return out;
    }
}
