package dev.rnb.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Offsets of every parameter tensor in the model's one contiguous buffer (the
 * gradient buffer has the same layout). Weight matrices (and the embeddings)
 * come first, as one block that AdamW decays; LayerNorm parameters and biases
 * follow as a second block that it does not. Per-layer tensors are laid out
 * layer by layer. Weights are OC x IC row-major, as llm.c.
 */
public final class ParameterLayout {
    /** One named tensor: [offset, offset + size) of the buffer; layer -1 for model-wide tensors. */
    public record Entry(String name, int layer, long offset, long size) {}

    private final GptConfig config;
    private final List<Entry> entries = new ArrayList<>();
    private final long decayed;
    private final long total;

    // Offsets, indexed by layer where per-layer.
    final long wte, wpe, headW, lnfW, lnfB, headB;
    final long[] qkvW, attProjW, fcW, fcProjW, ln1W, ln1B, qkvB, attProjB, ln2W, ln2B, fcB, fcProjB;

    public ParameterLayout(GptConfig config) {
        this.config = config;
        int L = config.layers(), C = config.channels(), V = GptConfig.VOCAB;
        long c = C;
        qkvW = new long[L]; attProjW = new long[L]; fcW = new long[L]; fcProjW = new long[L];
        ln1W = new long[L]; ln1B = new long[L]; qkvB = new long[L]; attProjB = new long[L];
        ln2W = new long[L]; ln2B = new long[L]; fcB = new long[L]; fcProjB = new long[L];
        wte = add("wte", -1, V * c);
        wpe = add("wpe", -1, config.context() * c);
        for (int l = 0; l < L; l++) {
            qkvW[l] = add("qkvw", l, 3 * c * c);
            attProjW[l] = add("attprojw", l, c * c);
            fcW[l] = add("fcw", l, 4 * c * c);
            fcProjW[l] = add("fcprojw", l, 4 * c * c);
        }
        headW = add("headw", -1, V * c);
        decayed = next;
        for (int l = 0; l < L; l++) {
            ln1W[l] = add("ln1w", l, c);
            ln1B[l] = add("ln1b", l, c);
            qkvB[l] = add("qkvb", l, 3 * c);
            attProjB[l] = add("attprojb", l, c);
            ln2W[l] = add("ln2w", l, c);
            ln2B[l] = add("ln2b", l, c);
            fcB[l] = add("fcb", l, 4 * c);
            fcProjB[l] = add("fcprojb", l, c);
        }
        lnfW = add("lnfw", -1, c);
        lnfB = add("lnfb", -1, c);
        headB = add("headb", -1, V);
        total = next;
    }

    private long next;

    private long add(String name, int layer, long size) {
        long at = next;
        entries.add(new Entry(name, layer, at, size));
        next += size;
        return at;
    }

    public GptConfig config() { return config; }

    /** Total parameter count. */
    public long size() { return total; }

    /** Parameters [0, decayedSize()) are weight matrices and embeddings (AdamW weight decay applies). */
    public long decayedSize() { return decayed; }

    public List<Entry> entries() { return Collections.unmodifiableList(entries); }
}
