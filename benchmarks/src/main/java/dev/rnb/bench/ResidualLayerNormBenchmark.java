package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.Tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The fused residual add + LayerNorm operations against the separate
 * operations they replace, on one backend, per shape (rows x width): forward
 * {@code residualLayerNormForward} against {@code add} then
 * {@code layerNormForward}; backward {@code residualLayerNormBackward}
 * against {@code layerNormBackward} then {@code biasBackward}. The four run
 * in turn, {@code reps} times, so a change of load hits each alike; medians.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.rnb.bench.ResidualLayerNormBenchmark [backend] [reps]</pre>
 */
public final class ResidualLayerNormBenchmark {
    /** {rows, width}: the default model's (1024 x 64) and the 10x one's (2048 x 384), and widths between and beyond. */
    private static final int[][] SHAPES = {{1024, 64}, {4096, 64}, {1024, 128}, {2048, 128}, {1024, 256}, {512, 384},
            {2048, 384}, {256, 768}};

    private ResidualLayerNormBenchmark() {}

    public static void main(String[] args) {
        String backendName = args.length > 0 ? args[0] : "cpu";
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 301;
        try (Backend b = Backends.open(backendName)) {
            System.out.printf(Locale.ROOT, "ResidualLayerNormBenchmark: backend %s, %d alternating repetitions, medians (us)%n%n", b.describe(), reps);
            System.out.println("| rows x width | forward fused | add + layerNormForward | fused / unfused | backward fused | layerNormBackward + biasBackward | fused / unfused |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (int[] s : SHAPES) {
                System.out.println(row(b, s[0], s[1], reps));
            }
        }
    }

    private static String row(Backend b, int N, int C, int reps) {
        SplittableRandom random = new SplittableRandom(N * 31L + C);
        long nc = (long) N * C;
        try (Tensor x = random(b, nc, random); Tensor y = random(b, nc, random); Tensor res = random(b, nc, random);
             Tensor out = random(b, nc, random); Tensor mean = random(b, N, random); Tensor rstd = random(b, N, random);
             Tensor w = random(b, C, random); Tensor bias = random(b, C, random); Tensor dres = random(b, nc, random);
             Tensor dw = random(b, C, random); Tensor db = random(b, C, random); Tensor ddb = random(b, C, random)) {
            Runnable[] ops = {
                () -> b.residualLayerNormForward(res, out, mean, rstd, x, y, w, bias, N, C),
                () -> {
                    b.add(res, x, y, nc);
                    b.layerNormForward(out, mean, rstd, res, w, bias, N, C);
                },
                () -> b.residualLayerNormBackward(dres, dw, db, ddb, out, res, w, mean, rstd, N, C),
                () -> {
                    b.layerNormBackward(dres, dw, db, out, res, w, mean, rstd, N, C);
                    b.biasBackward(ddb, dres, N, C);
                },
            };
            long[][] t = new long[ops.length][reps];
            for (int i = 0; i < 10; i++) {
                for (Runnable op : ops) op.run();
            }
            for (int i = 0; i < reps; i++) {
                for (int k = 0; k < ops.length; k++) {
                    long t0 = System.nanoTime();
                    ops[k].run();
                    b.synchronize();
                    t[k][i] = System.nanoTime() - t0;
                }
            }
            double[] us = new double[ops.length];
            for (int k = 0; k < ops.length; k++) {
                Arrays.sort(t[k]);
                us[k] = t[k][reps / 2] / 1e3;
            }
            return String.format(Locale.ROOT, "| %d x %d | %.1f | %.1f | %.2fx | %.1f | %.1f | %.2fx |", N, C, us[0], us[1], us[0] / us[1],
                    us[2], us[3], us[2] / us[3]);
        }
    }

    private static Tensor random(Backend b, long n, SplittableRandom random) {
        float[] values = new float[(int) n];
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
        Tensor t = b.allocate(n);
        b.upload(values, 0, t, 0, values.length);
        return t;
    }
}
