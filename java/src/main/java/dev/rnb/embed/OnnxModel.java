package dev.rnb.embed;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.rnb.backend.BackendUnavailableException;
import dev.rnb.data.BadInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A sentence-transformers encoder in ONNX Runtime: the session, its input
 * names, its hidden size, and the execution provider that ran it. One
 * {@link #hiddenStates} call is one batch through the model. Loading checks
 * everything that can be checked before any text is read, so a bad model
 * folder is one clear error (bad input) and not a failure minutes later.
 */
final class OnnxModel implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final boolean tokenTypes;
    private final String output;
    private final int hidden;
    private final String provider;

    private OnnxModel(OrtEnvironment env, OrtSession session, String file, String provider) throws OrtException {
        this.env = env;
        this.session = session;
        this.provider = provider;
        var inputs = session.getInputNames();
        if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
            throw new BadInputException(file + ": has inputs " + inputs + "; a sentence-transformers export needs input_ids and attention_mask");
        }
        for (String in : inputs) {
            if (!in.equals("input_ids") && !in.equals("attention_mask") && !in.equals("token_type_ids")) {
                throw new BadInputException(file + ": has an input \"" + in + "\" rnb cannot fill (it feeds input_ids, attention_mask, token_type_ids)");
            }
        }
        this.tokenTypes = inputs.contains("token_type_ids");
        String found = null;
        int width = -1;
        for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
            if (e.getValue().getInfo() instanceof TensorInfo t && t.getShape().length == 3 && t.getShape()[2] > 0
                    && (found == null || e.getKey().equals("last_hidden_state"))) {
                found = e.getKey();
                width = (int) t.getShape()[2];
            }
        }
        if (found == null) {
            throw new BadInputException(file + ": has no token-level output (batch x tokens x hidden, e.g. last_hidden_state) to pool");
        }
        this.output = found;
        this.hidden = width;
    }

    /**
     * Loads {@code model} (the bytes of an .onnx file named {@code file} in
     * messages) with {@code threads} intra-op threads, on the CUDA provider
     * when {@code device} allows and it loads, else on the CPU provider.
     * A CUDA session that fails is retried on the CPU, so a bad model is
     * told apart from a CUDA provider that does not load.
     */
    static OnnxModel load(byte[] model, String file, int threads, EmbedderDevice device) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String whyCpu;
        OrtException cudaFailure = null;
        if (device == EmbedderDevice.CPU) {
            whyCpu = "--embedder-device cpu";
        } else if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            whyCpu = "this ONNX Runtime build has no CUDA provider; an rnb built with -Ponnxruntime-gpu has";
        } else {
            try {
                return inspect(env, session(env, model, threads, true), file, "CUDA provider (device 0)");
            } catch (OrtException e) {
                cudaFailure = e;
            }
            whyCpu = "the CUDA provider did not load: " + firstLine(cudaFailure.getMessage());
        }
        OrtSession session;
        try {
            session = session(env, model, threads, false);
        } catch (OrtException e) {
            throw new BadInputException(file + ": not an ONNX model ONNX Runtime can load (" + firstLine(e.getMessage()) + ")");
        }
        if (device == EmbedderDevice.CUDA) {
            closeQuietly(session);
            throw new BackendUnavailableException("--embedder-device cuda: ONNX Runtime's CUDA", whyCpu, cudaFailure);
        }
        return inspect(env, session, file, "CPU provider (" + whyCpu + ")");
    }

    private static OrtSession session(OrtEnvironment env, byte[] model, int threads, boolean cuda) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (cuda) options.addCUDA(0);
            return env.createSession(model, options);
        }
    }

    /** The model around an open session; the session is closed if its inputs and outputs are not a sentence encoder's. */
    private static OnnxModel inspect(OrtEnvironment env, OrtSession session, String file, String provider) {
        try {
            return new OnnxModel(env, session, file, provider);
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session);
            if (e instanceof RuntimeException r) throw r;
            throw new BadInputException(file + ": cannot read its inputs and outputs (" + firstLine(e.getMessage()) + ")");
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    int hidden() { return hidden; }

    /** The execution provider that runs the model, and why the CPU where CUDA was not used. */
    String provider() { return provider; }

    /**
     * The model's token-level output for one batch: {@code ids} and
     * {@code mask} are rows x length, row-major (padding has mask 0);
     * the result is rows x length x hidden, row-major.
     */
    float[] hiddenStates(long[] ids, long[] mask, int rows, int length) {
        long[] shape = {rows, length};
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (tokenTypes) in.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape));
            try (OrtSession.Result r = session.run(in, java.util.Set.of(output))) {
                FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] out = new float[fb.remaining()];
                fb.get(out);
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + rows + " x " + length + " tokens: " + firstLine(e.getMessage()), e);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    static String firstLine(String s) {
        if (s == null) return "no message";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException ignored) {
            // Already failing with a clearer message.
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new UncheckedIOException(new IOException("closing the ONNX session: " + e.getMessage(), e));
        }
    }
}
