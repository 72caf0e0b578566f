package dev.rnb.model;

import dev.rnb.testing.TestBackends;
import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.Tensor;
import dev.rnb.balance.RnbBalancer;
import dev.rnb.balance.RoundResult;
import dev.rnb.testing.Compare;
import dev.rnb.testing.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The R&amp;B hook: after backward, the model's head input H and logit
 * gradients E go to RnbBalancer as tensors of the same backend (no copy), and
 * the per-domain gradients it accumulates add up to the model's own gradient
 * of the output head's weight.
 */
class RnbHookTest {

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void perDomainHeadGradientsSumToTheHeadGradient(String name) {
        Rng rng = new Rng();
        GptConfig cfg = new GptConfig(4, 1, 2, 8);
        int B = 3, T = 4, N = B * T, k = 3, C = cfg.channels(), V = GptConfig.VOCAB;
        try (Backend b = TestBackends.openOrSkip(name); Gpt gpt = new Gpt(b, cfg, B);
             RnbBalancer balancer = RnbBalancer.builder(b, k, C, V).build()) {
            gpt.initialize(rng.nextInt(1 << 30));
            float[] tok = new float[N], tgt = new float[N], w = new float[N];
            int[] domainOfRow = new int[N];
            for (int i = 0; i < N; i++) {
                tok[i] = rng.nextInt(V);
                tgt[i] = rng.nextInt(V);
                w[i] = 1f / N;
                domainOfRow[i] = (i / T) % k; // the domain of the row's sequence
            }
            gpt.setBatch(tok, tgt, w, T);
            gpt.forward(true);
            gpt.backward();
            Tensor h = gpt.finalLayerInput(), e = gpt.logitGradients();
            assertSame(b, h.backend());
            assertSame(b, e.backend());
            balancer.accumulate(h, e, domainOfRow, gpt.rows());

            float[] perDomain = new float[(int) ((long) k * V * C)];
            b.download(balancer.domainGradients().gradients(), 0, perDomain, 0, perDomain.length);
            float[] summed = new float[V * C];
            for (int d = 0; d < k; d++) {
                for (int i = 0; i < V * C; i++) summed[i] += perDomain[d * V * C + i];
            }
            ParameterLayout.Entry head = gpt.layout().entries().stream().filter(x -> x.name().equals("headw")).findFirst().orElseThrow();
            float[] headGrad = new float[V * C];
            b.download(gpt.gradients(), head.offset(), headGrad, 0, V * C);
            Compare.close(summed, headGrad, 1e-5, name + " sum of per-domain head gradients " + rng);

            RoundResult r = balancer.endRound();
            assertEquals(k, r.proportions().length);
        }
    }

    /**
     * The fused path (issue #15): the head's weight gradient is built from the
     * per-domain pieces inside backward, and the model's whole gradient equals
     * the plain backward's within float tolerance, while the pieces add up to
     * the head's gradient. Also with several batches: the accumulators hold
     * the round's sum, the head only the current batch's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void fusedBackwardKeepsTheModelsGradient(String name) {
        Rng rng = new Rng();
        GptConfig cfg = new GptConfig(4, 2, 2, 16);
        int B = 5, T = 3, N = B * T, k = 4, C = cfg.channels(), V = GptConfig.VOCAB;
        try (Backend b = TestBackends.openOrSkip(name); Gpt gpt = new Gpt(b, cfg, B);
             RnbBalancer balancer = RnbBalancer.builder(b, k, C, V).build()) {
            gpt.initialize(rng.nextInt(1 << 30));
            ParameterLayout.Entry head = gpt.layout().entries().stream().filter(x -> x.name().equals("headw")).findFirst().orElseThrow();
            float[] summedHeads = new float[V * C];
            for (int batch = 0; batch < 2; batch++) {
                float[] tok = new float[N], tgt = new float[N], w = new float[N];
                int[] domainOfRow = new int[N];
                for (int i = 0; i < N; i++) {
                    tok[i] = rng.nextInt(V);
                    tgt[i] = rng.nextInt(V);
                    w[i] = 1f / N;
                    domainOfRow[i] = rng.nextInt(k - 1); // domain k-1 absent
                }
                gpt.setBatch(tok, tgt, w, T);
                gpt.forward(true);
                gpt.backward();
                float[] plain = download(b, gpt.gradients());
                gpt.forward(true);
                gpt.backward((h, e, rows, dW) -> balancer.accumulateWithHead(h, e, domainOfRow, rows, dW));
                float[] fused = download(b, gpt.gradients());
                Compare.close(fused, plain, 1e-5, name + " batch " + batch + " model gradient fused vs plain " + rng);
                for (int i = 0; i < V * C; i++) summedHeads[i] += fused[(int) head.offset() + i];
            }
            float[] perDomain = download(b, balancer.domainGradients().gradients());
            float[] summed = new float[V * C];
            for (int d = 0; d < k; d++) {
                for (int i = 0; i < V * C; i++) summed[i] += perDomain[d * V * C + i];
            }
            Compare.close(summed, summedHeads, 1e-5, name + " round's pieces vs the heads' sum " + rng);
            for (int i = 0; i < V * C; i++) {
                assertEquals(0f, perDomain[(k - 1) * V * C + i], name + ": absent domain's accumulator touched");
            }
            assertEquals(2L * N, java.util.Arrays.stream(balancer.domainGradients().counts()).sum());
        }
    }

    private static float[] download(Backend b, Tensor t) {
        float[] out = new float[Math.toIntExact(t.size())];
        b.download(t, 0, out, 0, out.length);
        return out;
    }
}
