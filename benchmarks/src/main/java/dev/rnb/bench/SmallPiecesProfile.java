package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.Tensor;
import dev.rnb.backend.cpu.CpuBackend;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The crossover between the cpu backend's two ways of forming a batch's
 * per-domain pieces X_s = E_s^T H_s (issue #17): one native call for the
 * whole batch (native/domain_pieces_small.cpp) against one OpenBLAS GEMM per
 * segment (then, sketched, a CountSketch pass over the pieces in scratch).
 * A batch of 1024 rows (16 sequences x 64), each sequence its own domain
 * (16 segments of one 64-row run), or all rows in one segment; v x h from
 * the arguments (default 8x8 32x32 64x64 128x64 256x64 256x128), r = 1024. Each
 * variant runs blocks of calls back to back, blocks interleaved (the order
 * rotating), the median block's time per call reported (the calling
 * thread's CPU time: the machine is shared). Run with
 * OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.rnb.bench.SmallPiecesProfile [VxH...]</pre>
 */
public final class SmallPiecesProfile {
    private static final int ROWS = 1024, SEQUENCE = 64, R = 1024, BLOCKS = 41;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        String[] shapes = args.length == 0 ? new String[] {"8x8", "32x32", "64x64", "128x64", "256x64", "256x128"} : args;
        try (Backend b = Backends.open("cpu")) {
            System.out.println("| v x h | segments | exact: GEMMs (us) | exact: one call (us) | ratio | sketched: GEMMs (us) | sketched: one call (us) | ratio |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            for (String shape : shapes) {
                int v = Integer.parseInt(shape.substring(0, shape.indexOf('x')));
                int h = Integer.parseInt(shape.substring(shape.indexOf('x') + 1));
                for (int segments : new int[] {ROWS / SEQUENCE, 1}) {
                    profile(b, v, h, segments);
                }
            }
        }
    }

    private static void profile(Backend b, int v, int h, int segments) {
        SplittableRandom random = new SplittableRandom(17);
        int[] domainOfRow = new int[ROWS];
        for (int r = 0; r < ROWS; r++) domainOfRow[r] = r / (ROWS / segments);
        DomainSegments seg = DomainSegments.of(domainOfRow, ROWS, segments);
        int callsPerBlock = (int) Math.max(5, Math.min(400, 2e7 / ((double) ROWS * v * h)));
        try (Tensor th = FusedSplitProfile.put(b, FusedSplitProfile.gaussian(random, ROWS * h));
             Tensor te = FusedSplitProfile.put(b, FusedSplitProfile.gaussian(random, ROWS * v));
             Tensor g = b.allocate((long) segments * v * h); Tensor sketch = b.allocate((long) segments * R)) {
            Runnable exact = () -> b.domainGradAccumulate(th, te, h, v, seg, g);
            Runnable sketched = () -> b.domainGradSketchAccumulate(th, te, h, v, seg, R, 12345, sketch);
            // {exact GEMMs, exact native, sketched GEMMs, sketched native}
            double[][] t = new double[4][BLOCKS];
            for (int block = -3; block < BLOCKS; block++) {
                for (int i = 0; i < 4; i++) {
                    int p = (i + Math.max(block, 0)) % 4;
                    int previous = CpuBackend.smallPieceMax(p % 2 == 0 ? 0 : Integer.MAX_VALUE);
                    long t0 = THREADS.getCurrentThreadCpuTime();
                    for (int c = 0; c < callsPerBlock; c++) (p < 2 ? exact : sketched).run();
                    long elapsed = THREADS.getCurrentThreadCpuTime() - t0;
                    CpuBackend.smallPieceMax(previous);
                    if (block >= 0) t[p][block] = elapsed / 1e3 / callsPerBlock;
                }
            }
            double[] m = new double[4];
            for (int p = 0; p < 4; p++) {
                Arrays.sort(t[p]);
                m[p] = t[p][BLOCKS / 2];
            }
            System.out.printf(Locale.ROOT, "| %dx%d | %d | %.2f | %.2f | %.2fx | %.2f | %.2f | %.2fx |%n", v, h, segments,
                    m[0], m[1], m[0] / m[1], m[2], m[3], m[2] / m[3]);
        }
    }
}
