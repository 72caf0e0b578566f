package dev.rnb.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The built-in corpus: short text examples from three coarse "sources" (the
 * human-defined domains a user would be handed), each a different mix of four
 * latent skills. Skills, not sources, decide what an example looks like, so
 * regrouping by embedding should recover the skills (scored by ARI/NMI against
 * {@link Example#skill()}, which is kept for evaluation only).
 *
 * <ul>
 *   <li>skill 0, arithmetic: {@code 47 + 385 = 432} (hard: multi-digit carries)</li>
 *   <li>skill 1, reversal: {@code reverse kolam -> malok} (easy, character-level)</li>
 *   <li>skill 2, sorting: {@code sort pear fig plum -> fig pear plum} (medium)</li>
 *   <li>skill 3, recall: {@code the color of item zorv is teal} (a fixed table to memorise)</li>
 * </ul>
 * Sources frame the same skills differently ({@code Q: ... A:}, {@code Example:},
 * plain) and mix them in different proportions ({@link #SOURCE_MIX}). The
 * evaluation mixture is skewed toward arithmetic and sorting
 * ({@link #EVAL_MIX}), so a mixture that follows the skills, not the sources,
 * should lower evaluation loss fastest.
 *
 * <p>Deterministic for a seed; about 20k examples in well under a second.
 */
public final class SyntheticCorpus {
    public static final String[] SOURCES = {"forum", "textbook", "notes"};
    public static final String[] SKILLS = {"arithmetic", "reversal", "sorting", "recall"};

    /** P(skill | source): each source leans on one or two skills. */
    static final double[][] SOURCE_MIX = {
            {0.55, 0.25, 0.10, 0.10},
            {0.10, 0.10, 0.60, 0.20},
            {0.15, 0.40, 0.05, 0.40},
    };

    /** P(skill) of the evaluation set: skewed toward arithmetic and sorting. */
    static final double[] EVAL_MIX = {0.45, 0.10, 0.35, 0.10};

    private static final String[] SYLLABLES = {"ka", "lo", "mi", "ru", "ze", "to", "va", "ni", "qu", "sa", "pe", "do"};
    private static final String[] FRUITS = {"apple", "banana", "cherry", "date", "fig", "grape", "kiwi", "lemon",
            "mango", "olive", "peach", "pear", "plum", "quince"};
    private static final String[] COLORS = {"red", "teal", "amber", "violet", "olive", "indigo", "coral", "slate"};
    private static final int RECALL_ITEMS = 40;

    /** One example: its text, its source (domain id) and its latent skill. */
    public record Example(String text, int source, int skill) {}

    /** Training and evaluation examples. */
    public record Split(List<Example> train, List<Example> eval) {}

    private SyntheticCorpus() {}

    public static Split generate(long seed, int trainSize, int evalSize) {
        if (trainSize < 0 || evalSize < 0) {
            throw new IllegalArgumentException("sizes must be >= 0, got train=" + trainSize + " eval=" + evalSize);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Example> train = new ArrayList<>(trainSize);
        for (int i = 0; i < trainSize; i++) {
            int source = random.nextInt(SOURCES.length);
            int skill = draw(SOURCE_MIX[source], random);
            train.add(new Example(frame(source, skill(skill, random)), source, skill));
        }
        List<Example> eval = new ArrayList<>(evalSize);
        for (int i = 0; i < evalSize; i++) {
            int skill = draw(EVAL_MIX, random);
            int source = random.nextInt(SOURCES.length);
            eval.add(new Example(frame(source, skill(skill, random)), source, skill));
        }
        return new Split(train, eval);
    }

    private static int draw(double[] probabilities, SplittableRandom random) {
        double u = random.nextDouble();
        for (int i = 0; i < probabilities.length - 1; i++) {
            u -= probabilities[i];
            if (u < 0) {
                return i;
            }
        }
        return probabilities.length - 1;
    }

    private static String frame(int source, String body) {
        return switch (source) {
            case 0 -> "Q: " + body.replace(" = ", " = ? A: ").replace(" -> ", " -> ? A: ");
            case 1 -> "Example: " + body + ".";
            default -> body;
        };
    }

    private static String skill(int skill, SplittableRandom random) {
        return switch (skill) {
            case 0 -> arithmetic(random);
            case 1 -> reversal(random);
            case 2 -> sorting(random);
            default -> recall(random);
        };
    }

    private static String arithmetic(SplittableRandom random) {
        int a = random.nextInt(1000), b = random.nextInt(1000);
        return random.nextBoolean() ? a + " + " + b + " = " + (a + b) : (a + b) + " - " + b + " = " + a;
    }

    private static String reversal(SplittableRandom random) {
        StringBuilder word = new StringBuilder();
        int n = 2 + random.nextInt(3);
        for (int i = 0; i < n; i++) word.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
        return "reverse " + word + " -> " + new StringBuilder(word).reverse();
    }

    private static String sorting(SplittableRandom random) {
        int n = 3 + random.nextInt(3);
        String[] words = new String[n];
        for (int i = 0; i < n; i++) words[i] = FRUITS[random.nextInt(FRUITS.length)];
        String unsorted = String.join(" ", words);
        java.util.Arrays.sort(words);
        return "sort " + unsorted + " -> " + String.join(" ", words);
    }

    /** A fixed item -> color table: the same facts recur, so they can be learned. */
    private static String recall(SplittableRandom random) {
        int item = random.nextInt(RECALL_ITEMS);
        String name = SYLLABLES[item % SYLLABLES.length] + SYLLABLES[(item * 7 + 3) % SYLLABLES.length] + "r";
        return "the color of item " + name + item + " is " + COLORS[(item * 5 + 1) % COLORS.length];
    }
}
