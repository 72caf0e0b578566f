package dev.rnb.backend.cuda;

import dev.rnb.testing.CoversKernels;
import dev.rnb.testing.Rng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The layout kernels of the cuDNN attention path (cuda/attention_layout.cu)
 * on the emulator against plain Java, on random ragged shapes: q, k and v
 * out of qkv rows into head layout, and back into rows, overwriting (the
 * output) or adding (the gradients) without touching the other columns.
 * Pure copies and single float additions, so results must match exactly.
 */
@CoversKernels({"rnb_attention_rows_to_heads", "rnb_attention_heads_to_rows"})
class AttentionLayoutTest {
    private static EmulatedDevice device;
    private static AttentionLayout layout;

    @BeforeAll
    static void open() {
        device = new EmulatedDevice();
        layout = new AttentionLayout(device);
    }

    @AfterAll
    static void close() {
        device.close();
    }

    /** Index of (b, h, t, d) in head layout and of the same float in rows of the given stride, from column part*C. */
    private static int headIndex(int b, int h, int t, int d, int T, int NH, int hs) {
        return ((b * NH + h) * T + t) * hs + d;
    }

    private static int rowIndex(int b, int h, int t, int d, int T, int hs, int stride, int first) {
        return (b * T + t) * stride + first + h * hs + d;
    }

    @Test
    void rowsToHeadsAndBackOnRaggedShapes() {
        Rng rng = new Rng();
        for (int trial = 0; trial < 12; trial++) {
            int B = 1 + rng.nextInt(3), NH = 1 + rng.nextInt(4), hs = 1 + rng.nextInt(6), T = 1 + rng.nextInt(9);
            int C = NH * hs, n = B * T * C;
            boolean qkvRows = rng.nextInt(2) == 0;
            int stride = qkvRows ? 3 * C : C, part = qkvRows ? rng.nextInt(3) : 0, first = part * C;
            String what = "B=" + B + " T=" + T + " C=" + C + " NH=" + NH + " stride=" + stride + " part=" + part + " " + rng;
            float[] rows = rng.gaussian(B * T * stride), heads = rng.gaussian(n), target = rng.gaussian(B * T * stride);
            float[] wantHeads = new float[n], wantSet = target.clone(), wantAdd = target.clone();
            for (int b = 0; b < B; b++) {
                for (int h = 0; h < NH; h++) {
                    for (int t = 0; t < T; t++) {
                        for (int d = 0; d < hs; d++) {
                            int hi = headIndex(b, h, t, d, T, NH, hs), ri = rowIndex(b, h, t, d, T, hs, stride, first);
                            wantHeads[hi] = rows[ri];
                            wantSet[ri] = heads[hi];
                            wantAdd[ri] = target[ri] + heads[hi];
                        }
                    }
                }
            }
            long rowsAt = DeviceArrays.upload(device, rows), headsAt = DeviceArrays.upload(device, heads);
            long gathered = device.alloc((long) n * Float.BYTES);
            long set = DeviceArrays.upload(device, target), add = DeviceArrays.upload(device, target);
            long offset = (long) first * Float.BYTES;
            try {
                layout.toHeads(gathered, rowsAt + offset, stride, B, T, C, NH);
                layout.toRows(set + offset, headsAt, stride, false, B, T, C, NH);
                layout.toRows(add + offset, headsAt, stride, true, B, T, C, NH);
                assertArrayEquals(wantHeads, DeviceArrays.floats(device, gathered, n), "rows to heads " + what);
                assertArrayEquals(wantSet, DeviceArrays.floats(device, set, target.length), "heads to rows " + what);
                assertArrayEquals(wantAdd, DeviceArrays.floats(device, add, target.length), "heads added to rows " + what);
            } finally {
                for (long a : new long[] {rowsAt, headsAt, gathered, set, add}) device.free(a);
            }
        }
    }
}
