package dev.rnb.model;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BackendUnavailableException;
import dev.rnb.backend.Backends;
import dev.rnb.backend.Tensor;
import dev.rnb.backend.cuda.AttentionPath;
import dev.rnb.backend.cuda.CudaBackend;
import dev.rnb.backend.reference.ReferenceBackend;
import dev.rnb.testing.Compare;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import dev.rnb.testing.Tensors;

/**
 * The cuda backend's attention choice (AttentionPath): cuDNN where it is
 * absent falls back to our kernels and training still matches the reference;
 * on a GPU with cuDNN, cuDNN's attention matches the reference and our
 * kernels (skipped, as the other "cuda" cases, where there is no device, and
 * where there is no usable cuDNN).
 */
class CudnnAttentionTest {
    /** {B, T, C, NH}: T not a multiple of 32 and B*NH > 1, a single step, head size 33, a GPT-2-like head size 64. */
    static final int[][] SHAPES = {{2, 37, 24, 3}, {1, 1, 4, 1}, {2, 33, 66, 2}, {3, 70, 256, 4}};

    @Test
    void theChoiceIsParsedStrictly() {
        assertEquals(AttentionPath.CUDNN, AttentionPath.parse(" cuDNN "));
        assertEquals(AttentionPath.KERNELS, AttentionPath.parse("kernels"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttentionPath.parse("flash"));
        assertTrue(e.getMessage().contains("kernels or cudnn"), e.getMessage());
    }

    @Test
    void cudnnWithoutAGpuFallsBackToOurKernelsAndTrainingStillMatches() {
        String before = System.getProperty(AttentionPath.PROPERTY);
        System.setProperty(AttentionPath.PROPERTY, "cudnn");
        try (Backend b = Backends.open("cuda-emulated")) {
            CudaBackend cuda = (CudaBackend) b;
            assertEquals(AttentionPath.KERNELS, cuda.attentionPath(), "the configured cudnn fell back on opening");
            String why = cuda.useAttention(AttentionPath.CUDNN);
            assertNotNull(why, "cuDNN cannot run without a GPU");
            assertTrue(why.contains("needs a GPU"), why);
            assertEquals(AttentionPath.KERNELS, cuda.attentionPath());
            assertTrue(b.describe().endsWith("attention: our kernels"), b.describe());
            ModelOpsConformanceTest.assertTrainingStepMatchesReference(b, new Rng(), 1e-5, 1e-4);
        } finally {
            if (before == null) System.clearProperty(AttentionPath.PROPERTY);
            else System.setProperty(AttentionPath.PROPERTY, before);
        }
    }

    @Test
    void anUnknownConfiguredChoiceNamesTheChoices() {
        String before = System.getProperty(AttentionPath.PROPERTY);
        System.setProperty(AttentionPath.PROPERTY, "flash");
        try {
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.open("cuda-emulated"));
            assertTrue(e.reason().contains("choose kernels or cudnn"), e.reason());
        } finally {
            if (before == null) System.clearProperty(AttentionPath.PROPERTY);
            else System.setProperty(AttentionPath.PROPERTY, before);
        }
    }

    /** The real GPU with cuDNN: forward and backward against the reference and against our kernels. */
    @Test
    void cudnnMatchesTheReferenceAndOurKernels() {
        try (Backend b = TestBackends.openOrSkip("cuda"); Backend ref = new ReferenceBackend()) {
            CudaBackend cuda = (CudaBackend) b;
            String why = cuda.useAttention(AttentionPath.CUDNN);
            assumeTrue(why == null, "no usable cuDNN: " + why);
            assertTrue(b.describe().contains("cuDNN"), b.describe());
            Rng rng = new Rng();
            for (int[] s : SHAPES) {
                int B = s[0], T = s[1], C = s[2], NH = s[3], N = B * T;
                String what = "B=" + B + " T=" + T + " C=" + C + " NH=" + NH + " " + rng;
                float[] qkv = rng.gaussian(3 * N * C), dout = rng.gaussian(N * C), dqkv = rng.gaussian(3 * N * C);
                float[][] want = attention(ref, qkv, dout, dqkv, B, T, C, NH);
                cuda.useAttention(AttentionPath.CUDNN);
                float[][] viaCudnn = attention(b, qkv, dout, dqkv, B, T, C, NH);
                cuda.useAttention(AttentionPath.KERNELS);
                float[][] viaKernels = attention(b, qkv, dout, dqkv, B, T, C, NH);
                // cuDNN's default math may use TF32 tensor cores on Ampere and later: 10-bit mantissas.
                Compare.close(viaCudnn[0], want[0], 2e-3, "cuDNN attention out vs reference " + what);
                Compare.close(viaCudnn[1], want[1], 2e-3, "cuDNN attention dqkv vs reference " + what);
                Compare.close(viaCudnn[0], viaKernels[0], 2e-3, "cuDNN attention out vs our kernels " + what);
                Compare.close(viaCudnn[1], viaKernels[1], 2e-3, "cuDNN attention dqkv vs our kernels " + what);
            }
            assertNull(cuda.useAttention(AttentionPath.CUDNN));
            ModelOpsConformanceTest.assertTrainingStepMatchesReference(b, rng, 2e-3, 2e-3);
        }
    }

    /** {out, dqkv} of one forward and backward on b; dqkv starts from the given values (the backward accumulates). */
    private static float[][] attention(Backend b, float[] qkv, float[] dout, float[] dqkv, int B, int T, int C, int NH) {
        long att = (long) B * NH * T * T;
        Function<float[], Tensor> up = x -> Tensors.put(b, x);
        try (Tensor q = up.apply(qkv); Tensor d = up.apply(dout); Tensor dq = up.apply(dqkv);
             Tensor out = b.allocate((long) B * T * C); Tensor a = b.allocate(att); Tensor dpre = b.allocate(att)) {
            b.attentionForward(out, a, q, B, T, C, NH);
            b.attentionBackward(dq, dpre, d, q, a, B, T, C, NH);
            return new float[][] {Tensors.get(b, out), Tensors.get(b, dq)};
        }
    }
}
