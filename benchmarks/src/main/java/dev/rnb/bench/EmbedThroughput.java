package dev.rnb.bench;

import dev.rnb.embed.EmbedderDevice;
import dev.rnb.embed.LongTexts;
import dev.rnb.embed.OnnxEmbedder;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Throughput of the built-in neural embedder: texts of exactly N tokens
 * (N - 2 common words that are one WordPiece token each, plus [CLS] and
 * [SEP]), texts/s and tokens/s, and the share of the time spent outside
 * ONNX Runtime's inference (tokenizing, batching, pooling).
 * Usage: EmbedThroughput [THREADS (default 2)] [TEXTS (default 512)] [TOKENS... (default 64 256)]
 */
public final class EmbedThroughput {
    private static final String[] WORDS = ("the of and to in is was he for it with as his on be at by had not are but from or "
            + "have an they which one you were her all she there would their we him been has when who will more no if out so said "
            + "what up its about into than them can only other new some could time these two may then do first any my now such like "
            + "our over man me even most made after also did many before must through back years where much your way well down "
            + "should because each just those people how too little state good very make world still own see men work long get here "
            + "between both life being under never day same another know while last might us great old year off come since against "
            + "go came right used take three").split(" ");

    private EmbedThroughput() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int texts = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 2; i < args.length; i++) sizes.add(Integer.parseInt(args[i]));
        if (sizes.isEmpty()) sizes = List.of(64, 256);
        try (OnnxEmbedder e = OnnxEmbedder.builtin(threads, EmbedderDevice.AUTO, LongTexts.TRUNCATE, null, false)) {
            System.out.println(e.description() + ", " + threads + " intra-op threads");
            e.embed(corpus(64, 64, 0));   // warm-up: session initialisation, first allocations
            System.out.println("tokens  texts  seconds  texts/s  tokens/s  outside inference");
            for (int n : sizes) {
                e.embed(corpus(n, texts, n));
                OnnxEmbedder.Timing t = e.lastTiming();
                double s = t.totalNanos() / 1e9;
                System.out.printf(Locale.ROOT, "%6d  %5d  %7.2f  %7.1f  %8.0f  %5.1f%% (tokenize %.1f%%)%n", n, texts, s, texts / s, t.tokens() / s,
                        100.0 * (t.totalNanos() - t.inferenceNanos()) / t.totalNanos(), 100.0 * t.tokenizeNanos() / t.totalNanos());
            }
        }
    }

    private static List<String> corpus(int tokens, int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < tokens - 2; w++) sb.append(w == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
            out.add(sb.toString());
        }
        return out;
    }
}
