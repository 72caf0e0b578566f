package dev.rnb.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generated documents on a few topics: each text mixes words of its topic's
 * vocabulary with words every topic shares, so clusters are clear but not
 * trivially disjoint; the original domain is the topic's name.
 */
final class TopicCorpus {
    record Doc(String text, String domain) {
        String jsonl() {
            return "{\"text\":\"" + text + "\",\"domain\":\"" + domain + "\"}";
        }
    }

    private static final String[] SHARED = words("common", 40);

    private TopicCorpus() {}

    /** n documents, topic i % topics, 16 to 31 words each, 35% of them shared. */
    static List<Doc> generate(int n, int topics, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Doc> docs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int topic = i % topics;
            String[] own = words("t" + topic + "w", 30);
            StringBuilder text = new StringBuilder();
            int len = 16 + r.nextInt(16);
            for (int w = 0; w < len; w++) {
                String[] from = r.nextDouble() < 0.35 ? SHARED : own;
                text.append(w == 0 ? "" : " ").append(from[r.nextInt(from.length)]);
            }
            docs.add(new Doc(text.toString(), "topic" + topic));
        }
        return docs;
    }

    private static String[] words(String stem, int n) {
        String[] w = new String[n];
        for (int i = 0; i < n; i++) w[i] = stem + Integer.toString(i * 7919 % 1000, 36);
        return w;
    }
}
