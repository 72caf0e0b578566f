package dev.rnb.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Splits one corpus into training and evaluation parts: a seeded shuffle,
 * then the first round(fraction * n) examples go to evaluation. Both parts
 * keep the corpus order among themselves, so outputs line up with the input.
 */
public final class EvalSplit {
    /** The two parts, and which input example each row came from. */
    public record Parts(Corpus train, Corpus eval, int[] trainIndex, int[] evalIndex) {}

    private EvalSplit() {}

    public static Parts split(Corpus corpus, double fraction, long seed) {
        int n = corpus.size();
        int evalCount = (int) Math.round(fraction * n);
        if (!(fraction > 0 && fraction < 1) || evalCount < 1 || evalCount >= n) {
            throw new IllegalArgumentException("eval fraction " + fraction + " of " + n
                    + " examples must leave at least one example on each side");
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] eval = Arrays.copyOf(perm, evalCount);
        int[] train = Arrays.copyOfRange(perm, evalCount, n);
        Arrays.sort(eval);
        Arrays.sort(train);
        return new Parts(corpus.select(train), corpus.select(eval), train, eval);
    }
}
