package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.MixtureSampler;
import dev.rnb.data.TrainingExample;
import dev.rnb.testing.Compare;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One R&amp;B round end to end at 10^6 domains and a small width (d = 2 x 2):
 * per-domain gradients, G p and the softmax update against the reference
 * backend, then the sampler drawing from the new proportions. The timeout
 * guards against anything O(k^2) (10^12 operations here), not a speed claim.
 */
class MillionDomainRoundTest {
    private static final int K = 1_000_000, H = 2, V = 2;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void roundAtAMillionDomainsOnCpuMatchesTheReferenceAndDrivesTheSampler() {
        Rng rng = new Rng();
        int rows = K + K / 2;
        float[] h = rng.gaussian(rows * H), e = rng.gaussian(rows * V);
        int[] domainOfRow = new int[rows];
        for (int i = 0; i < rows; i++) domainOfRow[i] = i < K ? i : rng.nextInt(K); // every domain, ragged counts
        float[] evalP = new float[K];
        for (int d = 0; d < K; d++) evalP[d] = 1 + d % 7;
        float[] got, want;
        try (Backend b = TestBackends.openOrSkip("cpu"); Backend ref = TestBackends.openOrSkip("reference");
             RnbBalancer fast = RnbBalancer.builder(b, K, H, V).evalProportions(evalP).lambda(20f).build();
             RnbBalancer slow = RnbBalancer.builder(ref, K, H, V).evalProportions(evalP).lambda(20f).build()) {
            fast.accumulate(h, e, domainOfRow, rows);
            slow.accumulate(h, e, domainOfRow, rows);
            RoundResult r = fast.endRound();
            assertEquals(BalanceStep.Status.UPDATED, r.status());
            got = r.proportions();
            want = slow.endRound().proportions();
        }
        assertTrue(Compare.relativeError(got, want) < 1e-4, rng + ": relative error " + Compare.relativeError(got, want));
        double sum = 0;
        for (float p : got) sum += p;
        assertEquals(1, sum, 1e-4);

        // The sampler draws the top 1% of domains (by the new p) as often as their mass says.
        // Near uniform: the logits lambda G p / ||G p|| spread by about lambda / sqrt(k), so
        // here the top 1% carry about 1.07%; 10^6 draws still tell that from 1% by 7 sd.
        MixtureSampler sampler = new MixtureSampler(oneExamplePerDomain(), 1 << 14, 1, rng.nextInt(Integer.MAX_VALUE));
        sampler.setProportions(got);
        float[] sorted = got.clone();
        Arrays.sort(sorted);
        float cut = sorted[K - K / 100];
        double topMass = 0;
        for (float p : got) if (p >= cut) topMass += p;
        long draws = 0, top = 0;
        for (int i = 0; i < 64; i++) {
            for (int d : sampler.next().domainOfSequence()) {
                draws++;
                if (got[d] >= cut) top++;
            }
        }
        double sd = Math.sqrt(draws * topMass * (1 - topMass));
        assertTrue(Math.abs(top - draws * topMass) < 5 * sd, rng + ": " + top + " of " + draws + " draws in the top 1%, expected " + draws * topMass);
    }

    /**
     * Sparse rounds at 10^6 domains as training has them (K B = 320 sequences, a few hundred
     * domains touched): the end of the round from the touched logits plus one shared absent
     * logit, on cpu, against the dense update over all k on the reference backend
     * ({@code balanceRound} over the k x d accumulators, scale 0 for absent domains).
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sparseRoundsAtAMillionDomainsMatchTheDenseUpdate() {
        Rng rng = new Rng();
        float[] evalP = new float[K];
        for (int d = 0; d < K; d++) evalP[d] = 1 + d % 5;
        try (Backend b = TestBackends.openOrSkip("cpu"); Backend ref = TestBackends.openOrSkip("reference");
             RnbBalancer balancer = RnbBalancer.builder(b, K, H, V).evalProportions(evalP).lambda(20f).sketch(3).build()) {
            float[] p = balancer.proportions();
            float[] evalNormalised = new float[K];
            double total = 0;
            for (float x : evalP) total += x;
            for (int d = 0; d < K; d++) evalNormalised[d] = (float) (evalP[d] / total);
            for (int round = 0; round < 3; round++) {
                int rows = 20 * 16 * (1 + rng.nextInt(8));
                int[] domainOfRow = new int[rows];
                for (int i = 0; i < rows; i += rows / 320) Arrays.fill(domainOfRow, i, Math.min(rows, i + rows / 320), rng.nextInt(K));
                balancer.accumulate(rng.gaussian(rows * H), rng.gaussian(rows * V), domainOfRow, rows);
                long[] counts = balancer.domainGradients().counts();
                float[] scale = new float[K];
                for (int d = 0; d < K; d++) scale[d] = counts[d] == 0 ? 0f : 1f / counts[d];
                int d3 = Math.toIntExact(balancer.domainGradients().dimension());
                BalanceStep want;
                try (dev.rnb.backend.Tensor dense = ref.allocate((long) K * d3)) {
                    float[] host = balancer.domainGradients().toHost();
                    ref.upload(host, 0, dense, 0, host.length);
                    want = ref.balanceRound(dense, K, d3, scale, evalNormalised, 20f, p);
                }
                RoundResult r = balancer.endRound();
                assertEquals(want.status(), r.status());
                float[] next = r.proportions(); // expanded from the sparse form
                double err = Compare.relativeError(next, want.next());
                assertTrue(err < 1e-5, rng + ": round " + round + " relative error " + err);
                int absent = -1;
                for (int d = 0; d < K && absent < 0; d++) if (counts[d] == 0) absent = d;
                for (int d = 0; d < K; d++) {
                    if (counts[d] == 0) assertEquals(next[absent], next[d], "absent domains share one proportion");
                }
                p = next;
            }
        }
    }

    private static ByteDataset oneExamplePerDomain() {
        List<TrainingExample> examples = new ArrayList<>(K);
        List<String> names = new ArrayList<>(K);
        byte[] bytes = {1, 2, 3, 4};
        for (int d = 0; d < K; d++) {
            examples.add(new TrainingExample(bytes, d));
            names.add("d" + d);
        }
        return new ByteDataset(examples, names);
    }
}
