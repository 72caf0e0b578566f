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
}
