package dev.rnb.model;

import dev.rnb.backend.reference.ReferenceBackend;
import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Analytic gradients of the whole model (every parameter tensor, through
 * every model operation) against central finite differences, in double
 * precision on the float64 reference backend, on a tiny model with one
 * masked row.
 */
class GptGradientCheckTest {

    @Test
    void analyticGradientsMatchCentralDifferences() {
        Rng rng = new Rng();
        GptConfig cfg = new GptConfig(5, 2, 2, 8);
        int B = 2, T = 5, N = B * T;
        ReferenceBackend ref = ReferenceBackend.float64();
        try (Gpt gpt = new Gpt(ref, cfg, B)) {
            gpt.initialize(rng.nextInt(1 << 30));
            // Larger weights than GPT-2's init, so every path carries a visible gradient.
            int P = Math.toIntExact(gpt.layout().size());
            double[] theta = new double[P];
            ref.downloadDouble(gpt.parameters(), 0, theta, 0, P);
            for (int i = 0; i < P; i++) {
                theta[i] += 0.3 * (rng.nextDouble() - 0.5);
            }
            ref.uploadDouble(theta, 0, gpt.parameters(), 0, P);

            float[] tokens = new float[N], targets = new float[N], weights = new float[N];
            for (int i = 0; i < N; i++) {
                tokens[i] = rng.nextInt(256);
                targets[i] = rng.nextInt(256);
                weights[i] = 1f / (N - 1);
            }
            weights[N - 1] = 0f; // one masked row
            gpt.setBatch(tokens, targets, weights, T);
            gpt.forward(true);
            gpt.backward();
            double[] analytic = new double[P];
            ref.downloadDouble(gpt.gradients(), 0, analytic, 0, P);

            List<Integer> checked = new ArrayList<>();
            for (ParameterLayout.Entry e : gpt.layout().entries()) {
                for (int s = 0; s < 6; s++) {
                    long idx;
                    if (e.name().equals("wte") && s % 2 == 0) {
                        idx = e.offset() + (long) tokens[rng.nextInt(N)] * cfg.channels() + rng.nextInt(cfg.channels());
                    } else {
                        idx = e.offset() + rng.nextInt((int) e.size());
                    }
                    checked.add((int) idx);
                }
            }
            double h = 1e-5, diff = 0, norm = 0;
            StringBuilder worst = new StringBuilder();
            double worstErr = 0;
            for (int idx : checked) {
                double saved = theta[idx];
                double plus = lossAt(ref, gpt, theta, idx, saved + h);
                double minus = lossAt(ref, gpt, theta, idx, saved - h);
                theta[idx] = saved;
                ref.uploadDouble(theta, idx, gpt.parameters(), idx, 1);
                double numeric = (plus - minus) / (2 * h);
                double d = numeric - analytic[idx];
                diff += d * d;
                norm += numeric * numeric;
                double err = Math.abs(d) / Math.max(1e-6, Math.abs(numeric));
                if (err > worstErr) {
                    worstErr = err;
                    worst.setLength(0);
                    worst.append(name(gpt.layout(), idx)).append(" numeric=").append(numeric).append(" analytic=").append(analytic[idx]);
                }
                assertTrue(Math.abs(d) <= 1e-6 + 1e-5 * Math.abs(numeric),
                        "parameter " + name(gpt.layout(), idx) + ": numeric " + numeric + " vs analytic " + analytic[idx] + " " + rng);
            }
            assertTrue(norm > 0, "all checked gradients are zero");
            double rel = Math.sqrt(diff / norm);
            assertTrue(rel < 1e-6, "relative error " + rel + " (worst " + worst + ") " + rng);
        }
    }

    private static double lossAt(ReferenceBackend ref, Gpt gpt, double[] theta, int idx, double value) {
        theta[idx] = value;
        ref.uploadDouble(theta, idx, gpt.parameters(), idx, 1);
        gpt.forward(false);
        double[] loss = new double[1];
        ref.downloadDouble(gpt.lossSum(), 0, loss, 0, 1);
        return loss[0];
    }

    private static String name(ParameterLayout layout, int idx) {
        for (ParameterLayout.Entry e : layout.entries()) {
            if (idx >= e.offset() && idx < e.offset() + e.size()) {
                return e.name() + (e.layer() >= 0 ? "[" + e.layer() + "]" : "") + "+" + (idx - e.offset());
            }
        }
        return "?" + idx;
    }
}
