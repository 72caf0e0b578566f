package dev.rnb.embed;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Word tokens for the built-in embedder: maximal runs of letters and digits, lower-cased. */
final class Tokens {
    private Tokens() {}

    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            boolean word = Character.isLetterOrDigit(cp);
            if (word && start < 0) start = i;
            if (!word && start >= 0) {
                words.add(text.substring(start, i).toLowerCase(Locale.ROOT));
                start = -1;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) words.add(text.substring(start).toLowerCase(Locale.ROOT));
        return words;
    }
}
