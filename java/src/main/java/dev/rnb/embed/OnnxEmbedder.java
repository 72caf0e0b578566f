package dev.rnb.embed;

import dev.rnb.regroup.Embedded;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The neural embedder: a {@link SentenceModel} run over texts in batches of
 * similar length (texts sorted by token count, so padding is small), with
 * ONNX Runtime using every core, then pooled ({@link Pooling}) and
 * L2-normalised. A text's vector does not depend on the other texts of its
 * batch: padding is masked out of attention and pooling (it changes the
 * floats by rounding only, well under 1e-5).
 *
 * <p>An empty or whitespace-only text is what the tokenizer makes of it:
 * for BERT tokenizers [CLS] [SEP], so every such text gets one and the same
 * unit vector (the model's vector for "nothing").
 */
public final class OnnxEmbedder implements TextEmbedder {
    /** Texts per model call at most, and padded tokens per call at most (bounds the attention's memory). */
    private static final int MAX_BATCH_TEXTS = 64, MAX_BATCH_TOKENS = 8192;
    /** Texts tokenized at once (the tokenizer's per-text Java objects are large; ids are kept as ints). */
    private static final int TOKENIZE_BLOCK = 2048;

    /** Where the time of the last {@link #embed(List)} went (nanoseconds) and how many tokens it ran. */
    public record Timing(long tokenizeNanos, long inferenceNanos, long totalNanos, long tokens, long paddedTokens, int segments) {}

    private final SentenceModel model;
    private final EmbeddingCache cache;
    private final boolean progress;
    private Timing last;

    private OnnxEmbedder(SentenceModel model, Path cacheDir, boolean progress) {
        this.model = model;
        this.cache = cacheDir == null ? null : new EmbeddingCache(cacheDir);
        this.progress = progress;
    }

    /** The built-in all-MiniLM-L6-v2. {@code cacheDir} null: no cache. */
    public static OnnxEmbedder builtin(int threads, EmbedderDevice device, LongTexts longTexts, Path cacheDir, boolean progress) {
        return new OnnxEmbedder(SentenceModel.builtin(threads, device, longTexts), cacheDir, progress);
    }

    /** A sentence-transformers export in {@code dir} (model.onnx, tokenizer.json); checked here, before any text is read. */
    public static OnnxEmbedder fromDirectory(Path dir, int threads, EmbedderDevice device, LongTexts longTexts, Path cacheDir,
                                             boolean progress) {
        return new OnnxEmbedder(SentenceModel.fromDirectory(dir, threads, device, longTexts), cacheDir, progress);
    }

    public int dims() { return model.model.hidden(); }

    public int maxTokens() { return model.maxTokens; }

    public Timing lastTiming() { return last; }

    @Override
    public String name() { return model.name; }

    @Override
    public String description() { return model.describe(); }

    @Override
    public Embedded embed(List<String> train, List<String> eval) {
        List<String> all = new ArrayList<>(train.size() + eval.size());
        all.addAll(train);
        all.addAll(eval);
        EmbeddingCache.Entry entry = cache == null ? null : cache.entry(model.identity, all);
        float[] x = entry == null ? null : entry.read(dims());
        if (x != null) {
            System.err.println("embeddings read from the cache " + entry.file());
        } else {
            x = embed(all);
            if (entry != null) entry.write(x, dims());
        }
        int d = dims(), split = train.size() * d;
        return new Embedded(Arrays.copyOfRange(x, 0, split), Arrays.copyOfRange(x, split, x.length), d, description());
    }

    /** Row-major texts.size() x dims, every row of unit length. */
    public float[] embed(List<String> texts) {
        long t0 = System.nanoTime();
        List<int[]> ids = new ArrayList<>(texts.size());
        List<Integer> owners = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += TOKENIZE_BLOCK) {
            TextTokenizer.Segments s = model.tokenizer.encode(texts.subList(from, Math.min(texts.size(), from + TOKENIZE_BLOCK)));
            for (int i = 0; i < s.ids().length; i++) {
                ids.add(s.ids()[i]);
                owners.add(from + s.text()[i]);
            }
        }
        long tokenized = System.nanoTime();
        int segments = ids.size(), d = dims();
        long tokens = ids.stream().mapToLong(a -> a.length).sum();
        // Shortest first, ties by position: a fixed order, so the same input always makes the same batches.
        Integer[] order = IntStream.range(0, segments).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt((Integer s) -> ids.get(s).length).thenComparingInt(s -> s));
        float[] pooled = new float[Math.multiplyExact(segments, d)];
        float[] weight = new float[segments];
        Progress bar = new Progress(progress, texts.size(), tokens);
        long inference = 0, padded = 0, done = 0;
        for (int start = 0; start < segments; ) {
            int length = ids.get(order[start]).length, end = start;
            // Sorted ascending: the last text of the batch sets its padded length.
            while (end < segments && end - start < MAX_BATCH_TEXTS
                    && (long) (end - start + 1) * ids.get(order[end]).length <= Math.max(MAX_BATCH_TOKENS, ids.get(order[end]).length)) {
                length = ids.get(order[end]).length;
                end++;
            }
            int rows = end - start;
            long[] in = new long[rows * length], mask = new long[rows * length];
            for (int r = 0; r < rows; r++) {
                int[] a = ids.get(order[start + r]);
                for (int t = 0; t < a.length; t++) {
                    in[r * length + t] = a[t];
                    mask[r * length + t] = 1;
                }
            }
            long b0 = System.nanoTime();
            float[] h = model.model.hiddenStates(in, mask, rows, length);
            inference += System.nanoTime() - b0;
            for (int r = 0; r < rows; r++) {
                int s = order[start + r];
                weight[s] = pool(h, r, length, d, ids.get(s).length, pooled, s * d);
                done += ids.get(s).length;
            }
            padded += (long) rows * length;
            start = end;
            bar.update((int) Math.min(texts.size(), (long) start * texts.size() / segments), done);
        }
        float[] out = combine(pooled, weight, owners, texts.size(), d);
        bar.finish(texts.size());
        last = new Timing(tokenized - t0, inference, System.nanoTime() - t0, tokens, padded, segments);
        return out;
    }

    /** Pools row r (its first {@code real} tokens) of a rows x length x d batch into out[at..]; returns the token count (the segment's weight). */
    private float pool(float[] h, int r, int length, int d, int real, float[] out, int at) {
        int base = r * length * d;
        if (model.pooling == Pooling.CLS) {
            System.arraycopy(h, base, out, at, d);
            return real;
        }
        double[] sum = new double[d];
        for (int t = 0; t < real; t++) {
            for (int j = 0; j < d; j++) sum[j] += h[base + t * d + j];
        }
        for (int j = 0; j < d; j++) out[at + j] = (float) (sum[j] / real);
        return real;
    }

    /**
     * Each text's segments (contiguous, in text order) averaged weighted by
     * their token counts, then L2-normalised (the average's scale does not
     * matter after that, so the weighted sum is enough).
     */
    private static float[] combine(float[] pooled, float[] weight, List<Integer> owners, int texts, int d) {
        float[] out = new float[Math.multiplyExact(texts, d)];
        double[] acc = new double[d];
        for (int s = 0; s < owners.size(); s++) {
            int t = owners.get(s);
            for (int j = 0; j < d; j++) acc[j] += (double) weight[s] * pooled[s * d + j];
            if (s + 1 < owners.size() && owners.get(s + 1).intValue() == t) continue;
            double norm = 0;
            for (double v : acc) norm += v * v;
            norm = Math.sqrt(norm);
            for (int j = 0; j < d; j++) out[t * d + j] = norm > 0 ? (float) (acc[j] / norm) : 0f;
            Arrays.fill(acc, 0);
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
