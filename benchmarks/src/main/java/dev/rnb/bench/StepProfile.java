package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.InterceptedBackend;
import dev.rnb.backend.ModelOps;
import dev.rnb.backend.Tensor;
import dev.rnb.backend.cpu.ModelKernels;
import dev.rnb.model.Gpt;
import dev.rnb.model.GptConfig;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Where a training step's time goes (issue #4's performance section), in one
 * run per configuration: tokens/s; model-FLOPs utilisation, 6 x parameters x
 * tokens/s over the SGEMM rate measured in the same run; the step against its
 * own GEMMs replayed alone (same calls, same shapes, same memory); the share
 * of the step outside GEMMs (the backend's gemm calls and, on cpu, the GEMMs
 * inside attention, timed natively); and the time per backend operation; beside the step, the same step with every cpu
 * loop parallel (the kernels' work threshold at 0), and the same step with the residual adds and LayerNorms unfused
 * (timed alternately with the fused one; their operations' shares in both). The model runs on an
 * {@link InterceptedBackend} that times the backend's device parts, so every
 * operation the step issues is seen without changing the model code; on cpu every operation is synchronous, so wall time per call
 * is that operation's time.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.rnb.bench.StepProfile [backend] [steps] [shapes]</pre>
 *
 * shapes: a comma-separated subset of "default" and "10x" (both unless given);
 * scripts/bench-step-vs-pytorch runs one at a time beside PyTorch.
 */
public final class StepProfile {
    private record Shape(String name, GptConfig config, int batch) {}

    private static final List<Shape> SHAPES = List.of(
            new Shape("default", GptConfig.small(), 16),
            new Shape("10x", new GptConfig(256, 6, 6, 384), 8));

    /**
     * Passes each device-part call on; times it by name, or records the GEMM
     * calls. With {@code unfused} the fused residual add + LayerNorm
     * operations run as the separate operations they replace (add, then
     * layerNormForward; layerNormBackward, then biasBackward), each timed
     * under its own name: the step as it ran before the fusion, in the same
     * process.
     */
    private static final class Profiler implements InterceptedBackend.Interceptor {
        enum Mode { PASS, TIME, RECORD }

        private static final Method ADD = modelOp("add", Tensor.class, Tensor.class, Tensor.class, long.class);
        private static final Method LAYER_NORM = modelOp("layerNormForward", Tensor.class, Tensor.class, Tensor.class,
                Tensor.class, Tensor.class, Tensor.class, int.class, int.class);
        private static final Method LAYER_NORM_BACKWARD = modelOp("layerNormBackward", Tensor.class, Tensor.class,
                Tensor.class, Tensor.class, Tensor.class, Tensor.class, Tensor.class, Tensor.class, int.class, int.class);
        private static final Method BIAS_BACKWARD = modelOp("biasBackward", Tensor.class, Tensor.class, int.class, int.class);

        Mode mode = Mode.PASS;
        boolean unfused;
        Map<String, long[]> nanosAndCalls = new LinkedHashMap<>();
        final List<Object[]> gemms = new ArrayList<>();

        private static Method modelOp(String name, Class<?>... parameters) {
            try {
                return ModelOps.class.getMethod(name, parameters);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Object invoke(Object part, Method method, Object[] args) throws Throwable {
            if (unfused && method.getName().equals("residualLayerNormForward")) {
                // (residual, out, mean, rstd, inp, delta, weight, bias, N, C)
                long n = (long) (int) args[8] * (int) args[9];
                invoke(part, ADD, new Object[] {args[0], args[4], args[5], n});
                return invoke(part, LAYER_NORM, new Object[] {args[1], args[2], args[3], args[0], args[6], args[7], args[8], args[9]});
            }
            if (unfused && method.getName().equals("residualLayerNormBackward")) {
                // (dinp, dweight, dbias, ddeltaBias, dout, inp, weight, mean, rstd, N, C)
                invoke(part, LAYER_NORM_BACKWARD, new Object[] {args[0], args[1], args[2], args[4], args[5], args[6], args[7],
                        args[8], args[9], args[10]});
                return invoke(part, BIAS_BACKWARD, new Object[] {args[3], args[0], args[9], args[10]});
            }
            long t0 = System.nanoTime();
            Object result;
            try {
                result = method.invoke(part, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (mode == Mode.TIME) {
                long[] acc = nanosAndCalls.computeIfAbsent(method.getName(), k -> new long[2]);
                acc[0] += System.nanoTime() - t0;
                acc[1]++;
            } else if (mode == Mode.RECORD && method.getName().equals("gemm")) {
                gemms.add(args.clone());
            }
            return result;
        }
    }

    private StepProfile() {}

    public static void main(String[] args) {
        String backendName = args.length > 0 ? args[0] : "cpu";
        if (backendName.startsWith("cuda")) {
            // Kernel launches return before the kernel ends: wall time per call is not the kernel's time.
            throw new IllegalArgumentException("StepProfile times synchronous backends (cpu, reference); for cuda see docs/GPU.md");
        }
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        List<String> wanted = args.length > 2 ? List.of(args[2].split(",")) : SHAPES.stream().map(Shape::name).toList();
        for (String name : wanted) {
            if (SHAPES.stream().noneMatch(sh -> sh.name().equals(name))) {
                throw new IllegalArgumentException("unknown shape '" + name + "': expected default and/or 10x");
            }
        }
        System.out.printf(Locale.ROOT, "StepProfile: backend %s, %d timed steps per configuration, medians%n%n", backendName, steps);
        List<String> summary = new ArrayList<>();
        List<String> breakdowns = new ArrayList<>();
        for (Shape shape : SHAPES) {
            if (!wanted.contains(shape.name())) continue;
            try (Backend real = Backends.open(backendName)) {
                profile(real, shape, steps, summary, breakdowns);
            }
        }
        System.out.println("| config | parameters | tokens/step | step (ms) | tokens/s | SGEMM rate (GFLOP/s) | MFU | the step's GEMMs alone (ms) | step / GEMMs | non-GEMM share | step with every loop parallel (ms, / step) | step with residual add + LayerNorm unfused (ms, / step) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        summary.forEach(System.out::println);
        breakdowns.forEach(System.out::print);
    }

    private static void profile(Backend real, Shape shape, int steps, List<String> summary, List<String> breakdowns) {
        Profiler profiler = new Profiler();
        Backend backend = new InterceptedBackend(real, profiler);
        GptConfig c = shape.config();
        int n = shape.batch() * c.context();
        try (Gpt model = new Gpt(backend, c, shape.batch())) {
            model.initialize(1);
            RandomBatch.set(model, 7);
            int[] step = {0};
            Runnable trainStep = () -> {
                model.forward(true);
                model.backward();
                model.adamwStep(1e-4f, 0.9f, 0.95f, 1e-8f, 0.1f, 1f, ++step[0]);
            };
            Runnable unfusedStep = () -> {
                profiler.unfused = true;
                trainStep.run();
                profiler.unfused = false;
            };
            for (int i = 0; i < 3; i++) {
                trainStep.run();
                unfusedStep.run();
            }
            double[] fusedAndUnfused = interleavedMedians(steps, trainStep, unfusedStep);
            double stepNs = fusedAndUnfused[0], unfusedNs = fusedAndUnfused[1];
            double allParallelNs = withParallelMinWork(0, () -> median(steps, trainStep));

            profiler.mode = Profiler.Mode.RECORD;
            trainStep.run();
            profiler.mode = Profiler.Mode.TIME;
            boolean cpu = real.name().equals("cpu");
            if (cpu) ModelKernels.rnb_model_time_attention_gemms(1);
            for (int i = 0; i < steps; i++) trainStep.run();
            double attentionGemmMs = cpu ? ModelKernels.rnb_model_attention_gemm_nanos() / 1e6 / steps : 0;
            if (cpu) ModelKernels.rnb_model_time_attention_gemms(0);
            Map<String, long[]> fusedOps = profiler.nanosAndCalls;
            profiler.nanosAndCalls = new LinkedHashMap<>();
            for (int i = 0; i < steps; i++) unfusedStep.run();
            Map<String, long[]> unfusedOps = profiler.nanosAndCalls;
            profiler.nanosAndCalls = fusedOps;
            profiler.mode = Profiler.Mode.PASS;

            List<Object[]> gemms = profiler.gemms;
            Runnable gemmsAlone = () -> {
                for (Object[] a : gemms) {
                    backend.gemm((boolean) a[0], (boolean) a[1], (int) a[2], (int) a[3], (int) a[4], (float) a[5], (Tensor) a[6],
                            (int) a[7], (Tensor) a[8], (int) a[9], (float) a[10], (Tensor) a[11], (int) a[12]);
                }
            };
            gemmsAlone.run();
            double gemmNs = median(steps, gemmsAlone);
            double sgemmFlops = sgemmRate(real, steps);

            long parameters = model.layout().size();
            double tokensPerSecond = n / (stepNs / 1e9);
            double mfu = 6.0 * parameters * tokensPerSecond / sgemmFlops;
            double gemmMs = profiler.nanosAndCalls.getOrDefault("gemm", new long[2])[0] / 1e6 / steps;
            double nonGemmShare = 1 - (gemmMs + attentionGemmMs) / (stepNs / 1e6);
            summary.add(String.format(Locale.ROOT, "| %s: %d layers, width %d, %d heads, context %d, batch %d | %,d | %d | %.1f | %.0f | %.1f | %.1f%% | %.1f | %.2fx | %.1f%% | %.1f (%.2fx) | %.1f (%.3fx) |",
                    shape.name(), c.layers(), c.channels(), c.heads(), c.context(), shape.batch(), parameters, n, stepNs / 1e6,
                    tokensPerSecond, sgemmFlops / 1e9, 100 * mfu, gemmNs / 1e6, stepNs / gemmNs, 100 * nonGemmShare,
                    allParallelNs / 1e6, allParallelNs / stepNs, unfusedNs / 1e6, unfusedNs / stepNs));
            breakdowns.add(breakdown(shape, profiler.nanosAndCalls, steps, stepNs, gemms.size(), attentionGemmMs));
            breakdowns.add(fusionShares(shape, fusedOps, unfusedOps, steps, stepNs, unfusedNs));
        }
    }

    /** The residual adds, LayerNorms and bias gradients of a step, fused and unfused (each share of its own step). */
    private static String fusionShares(Shape shape, Map<String, long[]> fused, Map<String, long[]> unfused, int steps,
                                       double fusedStepNs, double unfusedStepNs) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "%n%s: residual add + LayerNorm (+ the bias gradients of the projections before them), fused and unfused, mean over %d steps each%n%n"
                        + "| operation | fused calls/step | fused ms/step | fused share | unfused calls/step | unfused ms/step | unfused share |%n|---|---|---|---|---|---|---|%n",
                shape.name(), steps));
        double[] totals = new double[2];
        for (String op : List.of("residualLayerNormForward", "add", "layerNormForward", "residualLayerNormBackward", "layerNormBackward",
                "biasBackward")) {
            long[] f = fused.getOrDefault(op, new long[2]), u = unfused.getOrDefault(op, new long[2]);
            double fMs = f[0] / 1e6 / steps, uMs = u[0] / 1e6 / steps;
            totals[0] += fMs;
            totals[1] += uMs;
            s.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.1f%% | %d | %.2f | %.1f%% |%n", op, f[1] / steps, fMs,
                    100 * fMs / (fusedStepNs / 1e6), u[1] / steps, uMs, 100 * uMs / (unfusedStepNs / 1e6)));
        }
        s.append(String.format(Locale.ROOT, "| all of the above | | %.2f | %.1f%% | | %.2f | %.1f%% |%n", totals[0],
                100 * totals[0] / (fusedStepNs / 1e6), totals[1], 100 * totals[1] / (unfusedStepNs / 1e6)));
        return s.toString();
    }

    private static String breakdown(Shape shape, Map<String, long[]> ops, int steps, double stepNs, int gemmCalls,
                                    double attentionGemmMs) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "%n%s (%d GEMM calls per step): time per operation, mean over %d steps%n%n| operation | calls/step | ms/step | share of the step |%n|---|---|---|---|%n",
                shape.name(), gemmCalls, steps));
        double timed = 0;
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(ops.entrySet());
        sorted.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        for (Map.Entry<String, long[]> e : sorted) {
            double ms = e.getValue()[0] / 1e6 / steps;
            timed += ms;
            s.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.1f%% |%n", e.getKey(), e.getValue()[1] / steps, ms, 100 * ms / (stepNs / 1e6)));
        }
        double rest = stepNs / 1e6 - timed;
        s.append(String.format(Locale.ROOT, "| (between operations: Java, proxy) | | %.2f | %.1f%% |%n", rest, 100 * rest / (stepNs / 1e6)));
        if (attentionGemmMs > 0) {
            s.append(String.format(Locale.ROOT, "| (of which attention's own GEMMs, inside attentionForward/Backward) | | %.2f | %.1f%% |%n",
                    attentionGemmMs, 100 * attentionGemmMs / (stepNs / 1e6)));
        }
        return s.toString();
    }

    /** Runs {@code work} with the cpu kernels' parallel threshold at {@code floats} (0: every loop parallel, as before it existed). */
    private static double withParallelMinWork(long floats, java.util.function.DoubleSupplier work) {
        long saved = ModelKernels.rnb_model_parallel_min_work();
        ModelKernels.rnb_model_set_parallel_min_work(floats);
        try {
            return work.getAsDouble();
        } finally {
            ModelKernels.rnb_model_set_parallel_min_work(saved);
        }
    }

    /** FLOP/s of a 1024-cubed SGEMM on this backend, the median of {@code reps} calls. */
    private static double sgemmRate(Backend b, int reps) {
        int m = 1024;
        try (Tensor x = b.allocate((long) m * m); Tensor y = b.allocate((long) m * m); Tensor z = b.allocate((long) m * m)) {
            float[] values = new float[m * m];
            SplittableRandom random = new SplittableRandom(3);
            for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
            b.upload(values, 0, x, 0, values.length);
            b.upload(values, 0, y, 0, values.length);
            Runnable gemm = () -> b.gemm(false, false, m, m, m, 1f, x, m, y, m, 0f, z, m);
            gemm.run();
            return 2.0 * m * m * m / (median(reps, gemm) / 1e9);
        }
    }

    /** Medians of {@code a} and {@code b} run alternately, {@code reps} times each (a load change hits both). */
    private static double[] interleavedMedians(int reps, Runnable a, Runnable b) {
        long[] ta = new long[reps], tb = new long[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            a.run();
            long t1 = System.nanoTime();
            b.run();
            ta[i] = t1 - t0;
            tb[i] = System.nanoTime() - t1;
        }
        return new double[] {medianOf(ta), medianOf(tb)};
    }

    private static double medianOf(long[] t) {
        Arrays.sort(t);
        int reps = t.length;
        return reps % 2 == 1 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2.0;
    }

    private static double median(int reps, Runnable work) {
        long[] t = new long[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            work.run();
            t[i] = System.nanoTime() - t0;
        }
        return medianOf(t);
    }
}
