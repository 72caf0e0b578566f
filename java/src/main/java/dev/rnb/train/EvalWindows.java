package dev.rnb.train;

import dev.rnb.data.ByteDataset;
import dev.rnb.data.SeededRandom;
import dev.rnb.data.TrainingExample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A fixed random sample of the evaluation windows, for cheap evaluations
 * during training. {@link Trainer#evaluate} cuts every example into windows
 * of {@code context} predicted bytes (starts 0, T, 2T, ...); this draws
 * {@code ceil(tokens / T)} of those windows without replacement and returns
 * each as an example of its own (the window's T + 1 bytes, same domain), so
 * evaluating the sample scores exactly those windows' targets.
 *
 * <p>The draw depends only on the evaluation set, T, the token budget and
 * {@link #SEED}, never on a run's seed or method: every method and seed of an
 * experiment is monitored on the same windows, so their curves differ only by
 * the models.
 */
public final class EvalWindows {
    /** The sample's seed, the same for every run. */
    public static final long SEED = 0x5EED_E7A1L;

    private EvalWindows() {}

    /** The windows' (example, start) pairs in evaluation order. */
    static List<int[]> all(ByteDataset eval, int context) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < eval.size(); i++) {
            int length = eval.get(i).bytes().length;
            for (int start = 0; start + 1 < length; start += context) out.add(new int[] {i, start});
        }
        return out;
    }

    /**
     * The sample: the whole set (the same object) when {@code tokens} covers
     * every window or is 0, else the drawn windows in evaluation order.
     */
    public static ByteDataset sample(ByteDataset eval, int context, long tokens) {
        if (tokens < 0 || context < 1) {
            throw new IllegalArgumentException("need tokens >= 0 and context >= 1, got " + tokens + ", " + context);
        }
        List<int[]> windows = all(eval, context);
        long wanted = (tokens + context - 1) / context;
        if (tokens == 0 || wanted >= windows.size()) {
            return eval;
        }
        int n = (int) wanted;
        int[] order = new int[windows.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        SeededRandom rng = new SeededRandom(SEED);
        for (int i = 0; i < n; i++) { // partial Fisher-Yates: the first n entries are a uniform sample
            int j = i + rng.nextInt(order.length - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] picked = Arrays.copyOf(order, n);
        Arrays.sort(picked);
        List<TrainingExample> out = new ArrayList<>(n);
        for (int w : picked) {
            int[] at = windows.get(w);
            TrainingExample ex = eval.get(at[0]);
            byte[] bytes = ex.bytes();
            out.add(new TrainingExample(Arrays.copyOfRange(bytes, at[1], Math.min(bytes.length, at[1] + context + 1)), ex.domain()));
        }
        return new ByteDataset(out, eval.domainNames());
    }
}
