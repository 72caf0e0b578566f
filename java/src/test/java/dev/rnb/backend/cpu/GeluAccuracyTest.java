package dev.rnb.backend.cpu;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cpu's GELU (tanh form) computes 1 + tanh(u) as 2 / (1 + exp(-2u)) with
 * an exp in float arithmetic and -2u clamped to [-64, 64] (native/model_layers.cpp).
 * Its error against the same function in double precision, on
 * every instruction set this CPU supports, over a dense grid of [-12, 12] and
 * values far outside it (up to 1e30 in magnitude, where both must stay
 * finite): the forward within 2e-7 (5 + 2|u|) relative (u = sqrt(2/pi) (x +
 * 0.044715 x^3) is itself rounded to float, and e^-2u magnifies that by 2|u|),
 * or, in the tail below x = -8.9 where the kernel returns 0, within
 * 1.7e-28 |x| absolute; the derivative within the same relative bound of the
 * larger of its two terms (it crosses 0 near x = -0.75), or within 1e-25
 * absolute in that tail.
 */
class GeluAccuracyTest {
    private static Backend cpu;

    @BeforeAll
    static void open() {
        cpu = TestBackends.openOrSkip("cpu");
    }

    @AfterAll
    static void close() {
        if (cpu != null) cpu.close();
    }

    static float[] inputs() {
        int grid = 240_001;
        float[] x = new float[grid + 10];
        for (int i = 0; i < grid; i++) x[i] = -12f + 24f * i / (grid - 1);
        float[] far = {-1e30f, -1e4f, -88f, -30f, -5.8f, 5.8f, 30f, 1e4f, 1e-30f, -1e-30f};
        System.arraycopy(far, 0, x, grid, far.length);
        return x;
    }

    @ParameterizedTest
    @ValueSource(strings = {"baseline", "avx2", "avx512"})
    void forwardAndDerivativeWithinTheirBounds(String isa) {
        assumeTrue(ModelKernels.isaSupported(isa), "this CPU lacks " + isa);
        String chosen = ModelKernels.isa();
        ModelKernels.selectIsa(isa);
        float[] x = inputs();
        int n = x.length;
        float[] y = new float[n], dx = new float[n], ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        try (Tensor in = cpu.allocate(n); Tensor out = cpu.allocate(n); Tensor d = cpu.allocate(n); Tensor g = cpu.allocate(n)) {
            cpu.upload(x, 0, in, 0, n);
            cpu.upload(ones, 0, d, 0, n);
            cpu.zero(g);
            cpu.geluForward(out, in, n);
            cpu.geluBackward(g, in, d, n);
            cpu.download(out, 0, y, 0, n);
            cpu.download(g, 0, dx, 0, n);
        } finally {
            ModelKernels.selectIsa(chosen);
        }
        double worstForward = 0, worstDerivative = 0;
        for (int i = 0; i < n; i++) {
            // 0.5 (1 + tanh(u)) as 1 / (1 + e^-2u): Math.tanh(u) rounds to -1 from u = -19.1, the tail this checks.
            double v = x[i], u = Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v), s = 1 / (1 + Math.exp(-2 * u));
            double exact = v * s;
            double forwardError = Math.abs(y[i] - exact) / Math.max(Math.abs(exact), 1e-24);
            double bound = 2e-7 * (5 + 2 * Math.abs(u));
            boolean inTail = Math.abs(y[i] - exact) <= 1.7e-28 * Math.abs(v);
            worstForward = Math.max(worstForward, inTail ? 0 : forwardError / bound);
            double du = Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * v * v);
            double first = s, second = 2 * v * s * (1 - s) * du;
            if (!Double.isFinite(second)) second = 0; // s (1 - s) is 0 where v^3 overflows
            double derivativeError = Math.abs(dx[i] - (first + second)) / Math.max(Math.abs(first), Math.abs(second));
            boolean derivativeInTail = Math.abs(dx[i] - (first + second)) <= 1e-25;
            worstDerivative = Math.max(worstDerivative, derivativeInTail ? 0 : derivativeError / bound);
            assertTrue(inTail || forwardError <= bound,
                    isa + ": gelu(" + v + ") = " + y[i] + ", exact " + exact);
            assertTrue(derivativeInTail || derivativeError <= bound, isa + ": gelu'(" + v + ") = " + dx[i] + ", exact " + (first + second));
        }
        System.out.printf("GeluAccuracyTest %s: worst error / bound: forward %.2f, derivative %.2f%n", isa, worstForward, worstDerivative);
    }
}
