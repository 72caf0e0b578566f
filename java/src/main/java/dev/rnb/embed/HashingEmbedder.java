package dev.rnb.embed;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;

/**
 * The built-in text embedder, for when no embedding model is at hand (rnb
 * downloads nothing): hashed word unigrams, word bigrams and character 3- and
 * 4-grams of each word, TF-IDF weighted ((1 + ln tf) * idf, idf fitted on the
 * training texts), projected to {@code dims} dimensions by a fixed seeded
 * sparse random projection (each hashed feature adds +-w to a few output
 * coordinates), then L2-normalised. Lexical, not semantic, but it separates
 * topics and styles, which is what Regroup's clusters need.
 *
 * <p>Deterministic: features are hashed with a fixed 64-bit hash (not
 * String.hashCode's JVM-independent but weak 32 bits), each text's vector is
 * summed in sorted feature order, and texts are embedded independently in
 * parallel, so the result does not depend on thread count or scheduling.
 */
public final class HashingEmbedder {
    /** Hashed feature space (2^20 buckets): collisions are rare at corpus vocabularies. */
    private static final int BUCKET_BITS = 20;
    private static final int BUCKETS = 1 << BUCKET_BITS;
    /** Output coordinates each feature touches (sparse projection, Achlioptas/Li style). */
    private static final int PROJECTION_NONZEROS = 4;

    private final int dims;
    private final long seed;
    private final float[] idf;

    private HashingEmbedder(int dims, long seed, float[] idf) {
        this.dims = dims;
        this.seed = seed;
        this.idf = idf;
    }

    /** Fits the IDF weights on the training texts. */
    public static HashingEmbedder fit(List<String> train, int dims, long seed) {
        AtomicIntegerArray counts = new AtomicIntegerArray(BUCKETS);
        IntStream.range(0, train.size()).parallel().forEach(i -> {
            for (int b : distinctFeatures(train.get(i))) counts.incrementAndGet(b);
        });
        long[] df = new long[BUCKETS];
        for (int b = 0; b < BUCKETS; b++) df[b] = counts.get(b);
        return fromDocumentFrequencies(df, train.size(), dims, seed);
    }

    /**
     * The embedder {@link #fit} gives for training texts whose document
     * frequencies were counted elsewhere (summed over a cluster's partitions):
     * {@code df[b]} = number of the {@code documents} texts whose
     * {@link #distinctFeatures} contain bucket b.
     */
    public static HashingEmbedder fromDocumentFrequencies(long[] df, long documents, int dims, long seed) {
        if (dims < 1) {
            throw new IllegalArgumentException("embedding dimension must be >= 1, got " + dims);
        }
        if (df.length != BUCKETS) {
            throw new IllegalArgumentException("expected " + BUCKETS + " document frequencies, got " + df.length);
        }
        float[] idf = new float[BUCKETS];
        double n = documents;
        for (int b = 0; b < BUCKETS; b++) {
            idf[b] = (float) (Math.log((1 + n) / (1 + df[b])) + 1);
        }
        return new HashingEmbedder(dims, seed, idf);
    }

    /** Number of hashed feature buckets (the length of a document-frequency table). */
    public static int buckets() { return BUCKETS; }

    /** The distinct hashed feature buckets of a text (sorted): what a document-frequency count counts once. */
    public static int[] distinctFeatures(String text) {
        return distinct(features(text));
    }

    public int dims() { return dims; }

    /** Row-major texts.size() x dims, each row of unit length (a text with no words: zeros). */
    public float[] embed(List<String> texts) {
        float[] out = new float[Math.multiplyExact(texts.size(), dims)];
        IntStream.range(0, texts.size()).parallel().forEach(i -> embedInto(texts.get(i), out, i * dims));
        return out;
    }

    private void embedInto(String text, float[] out, int offset) {
        int[] features = features(text);
        Arrays.sort(features);
        double[] v = new double[dims];
        for (int start = 0; start < features.length; ) {
            int end = start;
            while (end < features.length && features[end] == features[start]) end++;
            int b = features[start];
            double w = (1 + Math.log(end - start)) * idf[b];
            for (int s = 0; s < PROJECTION_NONZEROS; s++) {
                long h = mix(seed ^ mix(((long) b << 3) | s));
                int coord = (int) Long.remainderUnsigned(h >>> 1, dims);
                v[coord] += (h & 1) == 0 ? w : -w;
            }
            start = end;
        }
        double norm = 0;
        for (double x : v) norm += x * x;
        double inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
        for (int c = 0; c < dims; c++) out[offset + c] = (float) (v[c] * inv);
    }

    /**
     * The hashed feature buckets of a text, one entry per occurrence. Hashes
     * run over the characters in place (no substring per n-gram), since this
     * loop is the embedder's whole cost.
     */
    static int[] features(String text) {
        List<String> words = Tokens.words(text);
        IntList out = new IntList();
        String previous = null;
        for (String w : words) {
            out.add(bucket(update(start('w'), w)));
            if (previous != null) {
                out.add(bucket(update(update(step(start('b'), previous.length()), previous), w)));
            }
            int len = w.length() + 2; // the word padded as <word>
            for (int n = 3; n <= 4; n++) {
                for (int i = 0; i + n <= len; i++) {
                    long h = start((char) ('0' + n));
                    for (int t = i; t < i + n; t++) {
                        h = step(h, t == 0 ? '<' : t == len - 1 ? '>' : w.charAt(t - 1));
                    }
                    out.add(bucket(h));
                }
            }
            previous = w;
        }
        return out.toArray();
    }

    /** The distinct values of a feature list (sorted). */
    private static int[] distinct(int[] features) {
        int[] f = features.clone();
        Arrays.sort(f);
        int m = 0;
        for (int i = 0; i < f.length; i++) {
            if (i == 0 || f[i] != f[i - 1]) f[m++] = f[i];
        }
        return Arrays.copyOf(f, m);
    }

    // FNV-1a over a kind tag and UTF-16 units, finished by splitmix64.
    private static long start(char kind) {
        return step(0xcbf29ce484222325L, kind);
    }

    private static long step(long h, int unit) {
        return (h ^ unit) * 0x100000001b3L;
    }

    private static long update(long h, String s) {
        for (int i = 0; i < s.length(); i++) h = step(h, s.charAt(i));
        return h;
    }

    private static int bucket(long h) {
        return (int) (mix(h) >>> (64 - BUCKET_BITS));
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
