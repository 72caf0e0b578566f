package dev.rnb.mix;

import dev.rnb.data.ByteDataset;
import dev.rnb.data.TrainingExample;
import dev.rnb.train.Evaluation;
import dev.rnb.train.Trainer;

import java.util.ArrayList;
import java.util.List;

/**
 * The extra evaluation pass of Skill-It and Aioli: per-domain mean loss on a
 * fixed, evenly spaced subset of the evaluation set (D_e), with its forward
 * cost in flops (2 N per processed token, padding included).
 */
final class EvalProbe {
    private final ByteDataset subset;
    private final long processedTokens;

    EvalProbe(ByteDataset eval, int examples, int batch, int context) {
        int n = Math.min(examples, eval.size());
        List<TrainingExample> picked = new ArrayList<>(n);
        for (int i = 0; i < n; i++) picked.add(eval.get((int) ((long) i * eval.size() / n)));
        this.subset = new ByteDataset(picked, eval.domainNames());
        long windows = 0;
        for (TrainingExample ex : picked) {
            int targets = Math.max(0, ex.bytes().length - 1);
            windows += (targets + context - 1) / context;
        }
        long batches = (windows + batch - 1) / batch;
        this.processedTokens = batches * batch * context;
    }

    /** Tokens a pass processes (D_e). */
    long tokens() { return processedTokens; }

    /** Per-domain losses (0 for a domain absent from the subset). */
    double[] evaluate(Trainer trainer) {
        Evaluation e = trainer.evaluate(subset);
        double[] l = e.domainLoss().clone();
        for (int i = 0; i < l.length; i++) if (Double.isNaN(l[i])) l[i] = 0;
        return l;
    }
}
