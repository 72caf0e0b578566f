package dev.rnb.djl.example;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.rnb.data.BadInputException;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.TrainingExample;

import java.io.ByteArrayOutputStream;

/**
 * Next-byte prediction items cut from a corpus with domains. Each domain's
 * texts are joined with '\n' into one stream, which is cut into windows of
 * {@code positions} predictions; every window belongs to one domain (packing
 * within a domain, no padding, so one domain per row). At each position the
 * input is the {@code context} bytes up to and including the current one
 * (bytes before the stream's start are 0) and the label is the next byte.
 *
 * @param inputs         windows x positions x context bytes (0..255), row-major
 * @param labels         windows x positions next bytes
 * @param domainOfWindow the domain of every window
 */
record ByteWindows(int windows, int positions, int context, int[] inputs, int[] labels, int[] domainOfWindow,
                   int domains) {

    static ByteWindows cut(ByteDataset data, int positions, int context, String what) {
        int k = data.domains();
        byte[][] streams = new byte[k][];
        long total = 0;
        for (int d = 0; d < k; d++) {
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            for (int i : data.examplesOf(d)) {
                TrainingExample e = data.get(i);
                if (joined.size() > 0) {
                    joined.write('\n');
                }
                joined.write(e.bytes(), 0, e.bytes().length);
            }
            streams[d] = joined.toByteArray();
            total += windowsIn(streams[d].length, positions);
        }
        if (total == 0) {
            throw new BadInputException(what + ": no domain has the " + (positions + 1)
                    + " bytes one window of --positions " + positions + " needs");
        }
        int windows = Math.toIntExact(total);
        int[] inputs = new int[Math.multiplyExact(windows, positions * context)];
        int[] labels = new int[windows * positions];
        int[] domainOfWindow = new int[windows];
        int w = 0;
        for (int d = 0; d < k; d++) {
            byte[] s = streams[d];
            // windows overlap by one byte: the last label of one is the first input of the next
            for (int start = 0; start + positions < s.length; start += positions) {
                for (int t = 0; t < positions; t++) {
                    int at = start + t;
                    for (int c = 0; c < context; c++) {
                        int from = at - (context - 1) + c;
                        inputs[(w * positions + t) * context + c] = from < 0 ? 0 : s[from] & 0xFF;
                    }
                    labels[w * positions + t] = s[at + 1] & 0xFF;
                }
                domainOfWindow[w++] = d;
            }
        }
        return new ByteWindows(windows, positions, context, inputs, labels, domainOfWindow, k);
    }

    /** Windows of a stream of n bytes: one per {@code positions} bytes after the first. */
    private static int windowsIn(int n, int positions) {
        return n == 0 ? 0 : (n - 1) / positions;
    }

    /** The windows' inputs as an int32 array (windows, positions, context). */
    NDArray inputArray(NDManager manager) {
        return manager.create(inputs, new Shape(windows, positions, context));
    }

    /**
     * The windows' labels as an int32 array (windows, positions, 1): the
     * trailing axis makes DJL's SoftmaxCrossEntropyLoss pick one class per
     * row on PyTorch (its pick expands (B, T) labels wrongly when B != T).
     */
    NDArray labelArray(NDManager manager) {
        return manager.create(labels, new Shape(windows, positions, 1));
    }

    /** Fraction of windows in each domain (R&amp;B's evaluation proportions p, for an evaluation set). */
    float[] proportions() {
        float[] p = new float[domains];
        for (int d : domainOfWindow) {
            p[d] += 1f / windows;
        }
        return p;
    }
}
