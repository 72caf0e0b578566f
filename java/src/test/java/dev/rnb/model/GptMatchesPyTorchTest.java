package dev.rnb.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;
import dev.rnb.backend.reference.ReferenceBackend;
import dev.rnb.data.Npy;
import dev.rnb.testing.Compare;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model against PyTorch, as llm.c's test_gpt2 checks train_gpt2.c: one
 * training step of the same small GPT (2 layers, width 16, 4 heads, a ragged
 * 3 x 11 batch with masked rows and unequal loss weights, the gradient norm
 * above the clip) computed by PyTorch in float64 and stored in
 * resources/dev/rnb/model/gpt_step by benchmarks/python/gpt_fixture.py.
 * Every backend must reproduce its logits, loss, every parameter tensor's
 * gradient and every tensor's AdamW update. The fixture's parameter scales and AdamW eps are
 * chosen so that a GELU in erf form, a LayerNorm eps of 1e-6, a step without
 * bias correction or clipping, or weight decay on every tensor each move some
 * compared quantity at least 10x past its tolerance (docs/ARCHITECTURE.md).
 */
class GptMatchesPyTorchTest {
    /**
     * Relative errors by norm (per parameter tensor for gradients and updates),
     * about 10x above what the float32 backends measure (reference, cpu,
     * cuda-emulated at worst: logits 2.6e-7, loss 5e-8, gradients 8.2e-7,
     * updates 7.5e-6) and over 10x below the smallest deliberate error, the
     * erf-form GELU (logits 2.0e-4, gradients 9.4e-4, updates 3.6e-3).
     */
    private static final Tolerances FLOAT32 = new Tolerances(1e-5, 1e-5, 2e-5, 1e-4);
    /**
     * The float64 reference differs from PyTorch only by the fixture's float32
     * storage (6e-8 relative per value; measured: logits 0, gradients 1e-16)
     * and, for the update, by that rounding of the parameters: 6e-8 of a
     * parameter near 1 against an update near lr / 2 = 5e-3 is 1.2e-5 of that
     * element's update at worst (measured by norm: 1.6e-6).
     */
    private static final Tolerances FLOAT64 = new Tolerances(1e-7, 1e-7, 1e-7, 2e-5);

    private record Tolerances(double logits, double loss, double gradients, double update) {}

    /** One PyTorch step: the setting, the batch (rows = batch * T), and what the step produced. */
    private record PyTorchStep(GptConfig config, int batch, int T, JsonNode settings, float[] tokens, float[] targets,
                               float[] weights, float[] params, float[] logits, float[] grads, float[] paramsAfter) {
        /** Reads the fixture through the class path (it may sit in a jar: the GPU bundle's tests); .npy files via a copy in {@code scratch}. */
        static PyTorchStep load(Path scratch) throws IOException {
            JsonNode s;
            try (InputStream in = resource("step.json")) {
                s = new ObjectMapper().readTree(in);
            }
            GptConfig config = new GptConfig(s.get("context").asInt(), s.get("layers").asInt(), s.get("heads").asInt(),
                    s.get("channels").asInt());
            Npy.Matrix batch = npy(scratch, "batch.npy");
            int rows = batch.cols();
            float[] b = batch.data();
            return new PyTorchStep(config, s.get("batch").asInt(), s.get("T").asInt(), s,
                    Arrays.copyOfRange(b, 0, rows), Arrays.copyOfRange(b, rows, 2 * rows), Arrays.copyOfRange(b, 2 * rows, 3 * rows),
                    npy(scratch, "params.npy").data(), npy(scratch, "logits.npy").data(),
                    npy(scratch, "grads.npy").data(), npy(scratch, "params_after.npy").data());
        }

        private static Npy.Matrix npy(Path scratch, String name) throws IOException {
            Path copy = scratch.resolve(name);
            try (InputStream in = resource(name)) {
                Files.copy(in, copy);
            }
            return Npy.read(copy);
        }

        private static InputStream resource(String name) throws IOException {
            InputStream in = GptMatchesPyTorchTest.class.getResourceAsStream("gpt_step/" + name);
            if (in == null) {
                throw new IOException("test resource dev/rnb/model/gpt_step/" + name + " is missing");
            }
            return in;
        }

        float setting(String name) { return (float) settings.get(name).asDouble(); }
    }

    private static PyTorchStep torch;

    @BeforeAll
    static void loadFixture(@TempDir Path scratch) throws IOException {
        torch = PyTorchStep.load(scratch);
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void oneTrainingStepMatchesPyTorch(String name) {
        try (Backend backend = TestBackends.openOrSkip(name)) {
            checkStep(backend, FLOAT32);
        }
    }

    @Test
    void float64ReferenceMatchesPyTorchToTheFixturesRounding() {
        try (Backend backend = ReferenceBackend.float64()) {
            checkStep(backend, FLOAT64);
        }
    }

    private static void checkStep(Backend backend, Tolerances tol) {
        String on = backend.name() + ": ";
        try (Gpt gpt = new Gpt(backend, torch.config(), torch.batch())) {
            ParameterLayout layout = gpt.layout();
            int P = Math.toIntExact(layout.size());
            assertEquals(torch.params().length, P, "PyTorch's parameter count");
            backend.upload(torch.params(), 0, gpt.parameters(), 0, P);
            backend.zero(gpt.moments());
            gpt.setBatch(torch.tokens(), torch.targets(), torch.weights(), torch.T());

            gpt.forward(true);
            Compare.close(download(backend, gpt.logits(), torch.logits().length), torch.logits(), tol.logits(), on + "logits");
            double loss = torch.settings().get("loss").asDouble();
            assertEquals(loss, gpt.loss(), tol.loss() * Math.abs(loss), on + "loss");

            gpt.backward();
            float[] grads = download(backend, gpt.gradients(), P);
            closePerTensor(layout, grads, torch.grads(), tol.gradients(), on + "gradient");

            gpt.adamwStep(torch.setting("lr"), torch.setting("beta1"), torch.setting("beta2"), torch.setting("eps"),
                    torch.setting("weight_decay"), torch.setting("max_norm"), torch.settings().get("step").asInt());
            double norm = torch.settings().get("grad_norm").asDouble();
            assertEquals(norm, gpt.lastGradNorm(), tol.gradients() * norm, on + "global gradient norm");
            float[] after = download(backend, gpt.parameters(), P);
            closePerTensor(layout, difference(after, torch.params()), difference(torch.paramsAfter(), torch.params()),
                    tol.update(), on + "AdamW update");
        }
    }

    /** Every parameter tensor within {@code tolerance}; the message names each one that is not. */
    private static void closePerTensor(ParameterLayout layout, float[] got, float[] want, double tolerance, String what) {
        List<String> off = new ArrayList<>();
        for (ParameterLayout.Entry e : layout.entries()) {
            int from = (int) e.offset(), to = (int) (e.offset() + e.size());
            double err = Compare.relativeError(Arrays.copyOfRange(got, from, to), Arrays.copyOfRange(want, from, to));
            if (!(err <= tolerance)) {
                off.add(e.name() + (e.layer() >= 0 ? "[" + e.layer() + "]" : "") + " " + (float) err);
            }
        }
        assertTrue(off.isEmpty(), what + " relative error above " + tolerance + " in " + off);
    }

    /** a - b, each difference computed in double and rounded once. */
    private static float[] difference(float[] a, float[] b) {
        float[] d = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = (float) ((double) a[i] - b[i]);
        }
        return d;
    }

    private static float[] download(Backend backend, Tensor t, int n) {
        float[] out = new float[n];
        backend.download(t, 0, out, 0, n);
        return out;
    }
}
