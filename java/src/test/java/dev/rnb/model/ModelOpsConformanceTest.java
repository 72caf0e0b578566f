package dev.rnb.model;

import dev.rnb.testing.TestBackends;
import dev.rnb.backend.Backend;
import dev.rnb.backend.ModelOps;
import dev.rnb.backend.Tensor;
import dev.rnb.backend.cpu.ModelKernels;
import dev.rnb.backend.reference.ReferenceBackend;
import dev.rnb.testing.Compare;
import dev.rnb.testing.CoversKernels;
import dev.rnb.testing.Rng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;
import static dev.rnb.testing.Tensors.get;
import static dev.rnb.testing.Tensors.put;

/**
 * Every model operation of the cpu backend and of the cuda launch code (on
 * the emulated kernels) against the reference backend, on
 * fresh random inputs and ragged shapes; outputs are poisoned (overwritten
 * operations) or start from random values (accumulating ones) first.
 */
@CoversKernels({"rnb_encoder_forward", "rnb_encoder_backward", "rnb_layernorm_forward", "rnb_layernorm_backward_input",
        "rnb_residual_layernorm_forward",
        "rnb_layernorm_backward_params", "rnb_bias_add", "rnb_bias_backward", "rnb_attention_forward",
        "rnb_attention_backward_query", "rnb_attention_backward_key", "rnb_gelu_forward", "rnb_gelu_backward", "rnb_add",
        "rnb_cross_entropy", "rnb_loss_sum", "rnb_squared_norm", "rnb_adamw"})
class ModelOpsConformanceTest {
    private static final Map<String, Backend> OPEN = new HashMap<>();
    private static final Backend REF = new ReferenceBackend();

    /**
     * {B, T, C, NH}: ragged widths, a single row, head size 5, and T = 40 with
     * head size 33 (more keys and more head channels than a warp has lanes).
     */
    static final int[][] SHAPES = {{2, 5, 12, 3}, {1, 1, 4, 1}, {3, 7, 20, 4}, {1, 40, 66, 2}};

    /**
     * SHAPES and, for the cpu's query tiles of 64 rows, T = 130 (two full
     * tiles and a ragged one of 2 rows) and T = 64 (exactly one).
     */
    static final int[][] ATTENTION_SHAPES = {{2, 5, 12, 3}, {1, 1, 4, 1}, {3, 7, 20, 4}, {1, 40, 66, 2},
            {2, 130, 24, 3}, {1, 64, 10, 2}};

    static synchronized Backend backend(String name) {
        return OPEN.computeIfAbsent(name, TestBackends::openOrSkip);
    }

    @AfterAll
    static void closeAll() {
        OPEN.values().forEach(Backend::close);
        OPEN.clear();
    }

    /** Runs the same operation on the reference and on {@code name} and compares the named outputs. */
    static final class Pair {
        final Backend b;
        final Rng rng;
        final Map<String, float[]> inputs = new HashMap<>();
        final Map<String, Tensor> ref = new HashMap<>(), got = new HashMap<>();

        Pair(Backend b, Rng rng) {
            this.b = b;
            this.rng = rng;
        }

        Pair random(String name, int n) { return set(name, rng.gaussian(Math.max(1, n))); }

        Pair poison(String name, int n) {
            float[] x = new float[Math.max(1, n)];
            java.util.Arrays.fill(x, Float.NaN);
            return set(name, x);
        }

        Pair set(String name, float[] values) {
            inputs.put(name, values);
            ref.put(name, put(REF, values));
            got.put(name, put(b, values));
            return this;
        }

        Tensor r(String name) { return ref.get(name); }

        Tensor g(String name) { return got.get(name); }

        void check(String name, double tol, String what) {
            Compare.close(get(b, got.get(name)), get(REF, ref.get(name)), tol, b.name() + " " + what + " " + name + " " + rng);
        }
    }

    static ModelOps ops(Backend b) { return b; }

    static float[] tokens(Rng rng, int n) {
        float[] t = new float[n];
        for (int i = 0; i < n; i++) t[i] = rng.nextInt(GptConfig.VOCAB);
        return t;
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void encoder(String name) {
        Rng rng = new Rng();
        for (int[] s : SHAPES) {
            int B = s[0], T = s[1], C = s[2], N = B * T, V = GptConfig.VOCAB;
            Pair p = new Pair(backend(name), rng);
            float[] tok = tokens(rng, N);
            tok[0] = tok[N - 1]; // a repeated token: its embedding gradient accumulates over rows
            p.set("tokens", tok).random("wte", V * C).random("wpe", T * C).poison("out", N * C)
                    .random("dout", N * C).random("dwte", V * C).random("dwpe", T * C);
            for (Backend x : new Backend[] {REF, p.b}) {
                boolean isRef = x == REF;
                java.util.function.Function<String, Tensor> t = isRef ? p::r : p::g;
                ops(x).encoderForward(t.apply("out"), t.apply("tokens"), t.apply("wte"), t.apply("wpe"), B, T, C);
                ops(x).encoderBackward(t.apply("dwte"), t.apply("dwpe"), t.apply("dout"), t.apply("tokens"), B, T, C);
            }
            p.check("out", 1e-6, "encoderForward");
            p.check("dwte", 1e-6, "encoderBackward");
            p.check("dwpe", 1e-6, "encoderBackward");
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void layerNorm(String name) {
        Rng rng = new Rng();
        for (int[] s : SHAPES) {
            int N = s[0] * s[1], C = s[2];
            Pair p = new Pair(backend(name), rng);
            p.random("inp", N * C).random("w", C).random("b", C).poison("out", N * C).poison("mean", N).poison("rstd", N)
                    .random("dout", N * C).random("dinp", N * C).random("dw", C).random("db", C);
            for (Backend x : new Backend[] {REF, p.b}) {
                java.util.function.Function<String, Tensor> t = x == REF ? p::r : p::g;
                ops(x).layerNormForward(t.apply("out"), t.apply("mean"), t.apply("rstd"), t.apply("inp"), t.apply("w"), t.apply("b"), N, C);
                ops(x).layerNormBackward(t.apply("dinp"), t.apply("dw"), t.apply("db"), t.apply("dout"), t.apply("inp"), t.apply("w"),
                        t.apply("mean"), t.apply("rstd"), N, C);
            }
            for (String o : new String[] {"out", "mean", "rstd"}) p.check(o, 1e-5, "layerNormForward");
            for (String o : new String[] {"dinp", "dw", "db"}) p.check(o, 1e-5, "layerNormBackward");
        }
    }

    /**
     * {rows, width} for the fused residual add + LayerNorm: one row, odd row
     * counts, width 1 (variance 0: the output is the bias), widths that are
     * no multiple of 8 or 16 (the vector tails) and some beyond a warp's 32
     * lanes, one whole vector register of either width; and widths of 256
     * and more, where the cpu backward runs its one pass (narrower ones run
     * its two kernels) with chunks of 64 rows: one row, one full chunk and
     * ragged ones.
     */
    static final int[][] RESIDUAL_SHAPES = {{1, 1}, {7, 1}, {1, 5}, {3, 13}, {9, 33}, {5, 100}, {11, 16}, {2, 131},
            {1, 256}, {64, 257}, {131, 300}};

    /**
     * residual = inp + delta and its LayerNorm in one call, against the
     * reference; then its backward (the residual stream's gradient, the
     * LayerNorm's parameter gradients and delta's bias gradient, all
     * accumulated) on the fused op's residual, mean and rstd. A second call
     * writes the sum over inp itself (residual aliasing inp), as the
     * contract allows.
     */
    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void residualLayerNorm(String name) {
        Rng rng = new Rng();
        for (int[] s : RESIDUAL_SHAPES) {
            int N = s[0], C = s[1];
            Pair p = new Pair(backend(name), rng);
            p.random("inp", N * C).random("delta", N * C).random("w", C).random("b", C).poison("res", N * C)
                    .poison("out", N * C).poison("mean", N).poison("rstd", N).random("dout", N * C).random("dres", N * C)
                    .random("dw", C).random("db", C).random("ddb", C).random("inp2", N * C).poison("out2", N * C).poison("mean2", N)
                    .poison("rstd2", N);
            for (Backend x : new Backend[] {REF, p.b}) {
                java.util.function.Function<String, Tensor> t = x == REF ? p::r : p::g;
                ops(x).residualLayerNormForward(t.apply("res"), t.apply("out"), t.apply("mean"), t.apply("rstd"), t.apply("inp"),
                        t.apply("delta"), t.apply("w"), t.apply("b"), N, C);
                ops(x).residualLayerNormBackward(t.apply("dres"), t.apply("dw"), t.apply("db"), t.apply("ddb"), t.apply("dout"),
                        t.apply("res"), t.apply("w"), t.apply("mean"), t.apply("rstd"), N, C);
                ops(x).residualLayerNormForward(t.apply("inp2"), t.apply("out2"), t.apply("mean2"), t.apply("rstd2"),
                        t.apply("inp2"), t.apply("delta"), t.apply("w"), t.apply("b"), N, C);
            }
            String what = "residualLayerNormForward " + N + "x" + C;
            p.check("res", 1e-6, what);
            for (String o : new String[] {"out", "rstd", "inp2", "out2", "rstd2"}) p.check(o, 1e-5, what);
            // A row's mean is a sum of C terms that may cancel to near 0 (one row of N = 1 did, at relative error
            // 2.8e-5): its rounding is set by the row's values, so compare at their root mean square.
            for (String[] m : new String[][] {{"mean", "res"}, {"mean2", "inp2"}}) {
                float[] rows = get(REF, p.r(m[1]));
                double scale = 0;
                for (float v : rows) scale += (double) v * v / C;
                Compare.closeAtScale(get(p.b, p.g(m[0])), get(REF, p.r(m[0])), Math.sqrt(scale), 1e-5,
                        p.b.name() + " " + what + " " + m[0] + " " + rng);
            }
            String backward = "residualLayerNormBackward " + N + "x" + C;
            for (String o : new String[] {"dw", "db"}) p.check(o, 1e-5, backward);
            if (C > 1) {
                p.check("dres", 1e-5, backward);
                p.check("ddb", 1e-5, backward);
            } else {
                // Through one element's LayerNorm the input gradient is exactly 0: w*dout - mean(w*dout) cancels
                // in float, and the rounding left is multiplied by rstd = 1/sqrt(1e-5), so compare at that scale.
                float[] wd = get(REF, p.r("dout")), w = get(REF, p.r("w")), dres = get(REF, p.r("dres"));
                double scale = 0;
                for (int n = 0; n < N; n++) scale += Math.pow(w[0] * wd[n], 2) / 1e-5 + Math.pow(dres[n], 2);
                Compare.closeAtScale(get(p.b, p.g("dres")), dres, Math.sqrt(scale), 1e-6, p.b.name() + " dres " + backward + " " + rng);
                float[] ddb = get(REF, p.r("ddb"));
                Compare.closeAtScale(get(p.b, p.g("ddb")), ddb, Math.sqrt(N * scale + ddb[0] * ddb[0]), 1e-6,
                        p.b.name() + " ddb " + backward + " " + rng);
            }
        }
    }

    /**
     * The reference's fused op (the default: add, then layerNormForward)
     * against the definition written out here in double precision, so the
     * oracle of the test above is checked by something other than itself.
     */
    @Test
    void referenceResidualLayerNormMatchesTheDefinition() {
        Rng rng = new Rng();
        for (int[] s : RESIDUAL_SHAPES) {
            int N = s[0], C = s[1];
            float[] x = rng.gaussian(N * C), y = rng.gaussian(N * C), w = rng.gaussian(C), b = rng.gaussian(C);
            float[] res = new float[N * C], out = new float[N * C], mean = new float[N], rstd = new float[N];
            for (int n = 0; n < N; n++) {
                double m = 0, v = 0;
                for (int c = 0; c < C; c++) {
                    res[n * C + c] = x[n * C + c] + y[n * C + c];
                    m += res[n * C + c];
                }
                m /= C;
                for (int c = 0; c < C; c++) v += (res[n * C + c] - m) * (res[n * C + c] - m);
                double r = 1 / Math.sqrt(v / C + 1e-5);
                for (int c = 0; c < C; c++) out[n * C + c] = (float) ((res[n * C + c] - m) * r * w[c] + b[c]);
                mean[n] = (float) m;
                rstd[n] = (float) r;
            }
            Tensor[] t = {put(REF, new float[N * C]), put(REF, new float[N * C]), put(REF, new float[N]), put(REF, new float[N])};
            ops(REF).residualLayerNormForward(t[0], t[1], t[2], t[3], put(REF, x), put(REF, y), put(REF, w), put(REF, b), N, C);
            Compare.close(get(REF, t[0]), res, 0, "reference residual " + rng);
            Compare.close(get(REF, t[1]), out, 1e-6, "reference LayerNorm of the residual " + rng);
            Compare.close(get(REF, t[2]), mean, 1e-6, "reference mean " + rng);
            Compare.close(get(REF, t[3]), rstd, 1e-6, "reference rstd " + rng);
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void biasGeluAdd(String name) {
        Rng rng = new Rng();
        for (int[] s : SHAPES) {
            int N = s[0] * s[1], OC = 3 * s[2] + 1;
            Pair p = new Pair(backend(name), rng);
            p.random("out", N * OC).random("bias", OC).random("dout", N * OC).random("dbias", OC)
                    .random("x", N * OC).poison("gelu", N * OC).random("dx", N * OC).random("a", N * OC).poison("sum", N * OC);
            for (Backend x : new Backend[] {REF, p.b}) {
                java.util.function.Function<String, Tensor> t = x == REF ? p::r : p::g;
                ops(x).biasAdd(t.apply("out"), t.apply("bias"), N, OC);
                ops(x).biasBackward(t.apply("dbias"), t.apply("dout"), N, OC);
                ops(x).geluForward(t.apply("gelu"), t.apply("x"), (long) N * OC);
                ops(x).geluBackward(t.apply("dx"), t.apply("x"), t.apply("dout"), (long) N * OC);
                ops(x).add(t.apply("sum"), t.apply("a"), t.apply("x"), (long) N * OC);
                ops(x).add(t.apply("a"), t.apply("a"), t.apply("dout"), (long) N * OC); // in place: a += dout
            }
            p.check("out", 1e-6, "biasAdd");
            p.check("dbias", 1e-5, "biasBackward");
            p.check("gelu", 1e-5, "geluForward");
            p.check("dx", 1e-5, "geluBackward");
            p.check("sum", 1e-6, "add");
            p.check("a", 1e-6, "add in place");
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void attention(String name) {
        Rng rng = new Rng();
        for (int[] s : ATTENTION_SHAPES) {
            int B = s[0], T = s[1], C = s[2], NH = s[3], N = B * T;
            Pair p = new Pair(backend(name), rng);
            p.random("qkv", N * 3 * C).poison("out", N * C).poison("att", B * NH * T * T)
                    .random("dout", N * C).random("dqkv", N * 3 * C).poison("dpreatt", B * NH * T * T);
            for (Backend x : new Backend[] {REF, p.b}) {
                java.util.function.Function<String, Tensor> t = x == REF ? p::r : p::g;
                ops(x).attentionForward(t.apply("out"), t.apply("att"), t.apply("qkv"), B, T, C, NH);
                ops(x).attentionBackward(t.apply("dqkv"), t.apply("dpreatt"), t.apply("dout"), t.apply("qkv"), t.apply("att"), B, T, C, NH);
            }
            p.check("out", 1e-5, "attentionForward");
            p.check("att", 1e-5, "attentionForward");
            p.check("dqkv", 1e-5, "attentionBackward");
            p.check("dpreatt", 1e-5, "attentionBackward");
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void crossEntropy(String name) {
        Rng rng = new Rng();
        for (int N : new int[] {1, 7, 33}) {
            int V = GptConfig.VOCAB;
            Pair p = new Pair(backend(name), rng);
            float[] w = new float[N];
            for (int i = 0; i < N; i++) w[i] = (float) rng.nextDouble() / N;
            if (N > 1) w[N / 2] = 0f; // masked row
            float[] logits = rng.gaussian(N * V);
            for (int i = 0; i < logits.length; i++) logits[i] *= 4;
            p.set("logits", logits).set("targets", tokens(rng, N)).set("weights", w).poison("losses", N).poison("sum", 1)
                    .poison("dlogits", N * V).poison("losses2", N).poison("sum2", 1);
            for (Backend x : new Backend[] {REF, p.b}) {
                java.util.function.Function<String, Tensor> t = x == REF ? p::r : p::g;
                ops(x).crossEntropy(t.apply("losses"), t.apply("sum"), t.apply("dlogits"), t.apply("logits"), t.apply("targets"), t.apply("weights"), N, V);
                ops(x).crossEntropy(t.apply("losses2"), t.apply("sum2"), null, t.apply("logits"), t.apply("targets"), t.apply("weights"), N, V);
            }
            p.check("losses", 1e-5, "crossEntropy");
            p.check("sum", 1e-5, "crossEntropy");
            p.check("dlogits", 1e-5, "crossEntropy");
            p.check("losses2", 1e-5, "crossEntropy without gradient");
            if (N > 1) {
                float[] d = get(p.b, p.g("dlogits"));
                for (int i = 0; i < V; i++) {
                    org.junit.jupiter.api.Assertions.assertTrue(d[(N / 2) * V + i] == 0f, "masked row has a gradient");
                }
            }
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void normAndAdamw(String name) {
        Rng rng = new Rng();
        for (int n : new int[] {1, 1000, 4097}) {
            for (float maxNorm : new float[] {0f, 1f}) {
                Pair p = new Pair(backend(name), rng);
                float[] v = rng.gaussian(n);
                for (int i = 0; i < n; i++) v[i] = Math.abs(v[i]);
                p.random("params", n).random("grads", n).random("m", n).set("v", v).poison("norm", 1);
                for (Backend x : new Backend[] {REF, p.b}) {
                    java.util.function.Function<String, Tensor> t = x == REF ? p::r : p::g;
                    ops(x).squaredNorm(t.apply("norm"), t.apply("grads"), n);
                    ops(x).adamw(t.apply("params"), t.apply("grads"), t.apply("m"), t.apply("v"), n, t.apply("norm"), maxNorm,
                            1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, 3);
                }
                p.check("norm", 1e-5, "squaredNorm");
                for (String o : new String[] {"params", "m", "v"}) p.check(o, 1e-5, "adamw maxNorm=" + maxNorm);
            }
        }
    }

    /**
     * The cpu kernels keep loops under a work threshold on the calling thread,
     * which the shapes above never reach: with the threshold at 0 every loop
     * takes its parallel path, and must agree with the reference all the same.
     */
    @Test
    void cpuKernelsAgreeOnTheirParallelPaths() {
        long threshold = ModelKernels.rnb_model_parallel_min_work();
        ModelKernels.rnb_model_set_parallel_min_work(0);
        try {
            everyCpuKernelMatchesReference();
        } finally {
            ModelKernels.rnb_model_set_parallel_min_work(threshold);
        }
    }

    /** Every model kernel's check on the cpu backend, the whole step last. */
    private void everyCpuKernelMatchesReference() {
        encoder("cpu");
        layerNorm("cpu");
        residualLayerNorm("cpu");
        biasGeluAdd("cpu");
        attention("cpu");
        crossEntropy("cpu");
        normAndAdamw("cpu");
        wholeModelStepMatchesReference("cpu");
    }

    /**
     * The cpu's model kernels are built once per instruction set and one is
     * picked at load time: each this CPU supports, forced in turn, must agree
     * with the reference.
     */
    @ParameterizedTest
    @ValueSource(strings = {"baseline", "avx2", "avx512"})
    void cpuKernelsAgreeOnEveryInstructionSet(String isa) {
        org.junit.jupiter.api.Assumptions.assumeTrue(ModelKernels.isaSupported(isa), "this CPU lacks " + isa);
        backend("cpu");
        String chosen = ModelKernels.isa();
        ModelKernels.selectIsa(isa);
        try {
            org.junit.jupiter.api.Assertions.assertEquals(isa, ModelKernels.isa());
            everyCpuKernelMatchesReference();
        } finally {
            ModelKernels.selectIsa(chosen);
        }
    }

    /** Unless forced, the kernels run with the widest instruction set the CPU supports. */
    @Test
    void cpuKernelsStartWithTheBestInstructionSetAndRejectUnknownOnes() {
        backend("cpu");
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty(ModelKernels.ISA_PROPERTY) == null
                && System.getenv(ModelKernels.ISA_ENV) == null, "an instruction set is forced");
        String best = ModelKernels.isaSupported("avx512") ? "avx512" : ModelKernels.isaSupported("avx2") ? "avx2" : "baseline";
        org.junit.jupiter.api.Assertions.assertEquals(best, ModelKernels.isa());
        org.junit.jupiter.api.Assertions.assertTrue(ModelKernels.isaSupported("baseline"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ModelKernels.selectIsa("sse9"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("unknown instruction set 'sse9'"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertEquals(best, ModelKernels.isa());
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void tooSmallTensorsAndBadShapesAreRejectedBeforeAnyKernelRuns(String name) {
        Backend b = name.equals("reference") ? REF : backend(name);
        try (Tensor small = b.allocate(5); Tensor big = b.allocate(1000)) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ops(b).layerNormForward(big, big, big, small, big, big, 2, 4));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ops(b).attentionForward(big, big, big, 1, 2, 6, 4)); // 6 channels, 4 heads
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ops(b).crossEntropy(big, big, small, big, big, big, 2, 3));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ops(b).adamw(big, big, big, small, 6, big, 0f, 1e-3f, 0.9f, 0.95f, 1e-8f, 0f, 1));
            org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> b.view(big, 990, 11));
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void wholeModelStepMatchesReference(String name) {
        assertTrainingStepMatchesReference(backend(name), new Rng(), 1e-5, 1e-4);
    }

    /**
     * One training step (forward, backward, AdamW) of a small GPT on b and on
     * the reference from the same initialisation and batch: loss and
     * parameters within lossTolerance, gradients within gradientTolerance.
     */
    static void assertTrainingStepMatchesReference(Backend b, Rng rng, double lossTolerance, double gradientTolerance) {
        String name = b.name();
        GptConfig cfg = new GptConfig(7, 2, 2, 8);
        int B = 2, T = 6, N = B * T; // T below the context: the model runs on a prefix of its buffers
        long seed = rng.nextInt(1 << 30);
        float[] tok = tokens(rng, N), tgt = tokens(rng, N), w = new float[N];
        java.util.Arrays.fill(w, 1f / N);
        try (Gpt want = new Gpt(REF, cfg, B); Gpt got = new Gpt(b, cfg, B)) {
            for (Gpt m : new Gpt[] {want, got}) {
                m.initialize(seed);
                m.setBatch(tok, tgt, w, T);
                m.forward(true);
                m.backward();
                m.adamwStep(1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 1f, 1);
            }
            Compare.close(new float[] {got.loss()}, new float[] {want.loss()}, lossTolerance, name + " loss " + rng);
            Compare.close(get(b, got.gradients()), get(REF, want.gradients()), gradientTolerance, name + " gradients " + rng);
            Compare.close(get(b, got.parameters()), get(REF, want.parameters()), lossTolerance, name + " parameters after AdamW " + rng);
        }
    }
}
