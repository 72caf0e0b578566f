package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;
import dev.rnb.balance.DomainGradients;
import dev.rnb.balance.HierarchicalUpdate;
import dev.rnb.balance.LambdaRule;
import dev.rnb.balance.RnbBalancer;
import dev.rnb.balance.RoundResult;
import dev.rnb.balance.SketchSpec;
import dev.rnb.data.Batch;
import dev.rnb.data.DomainGroups;
import dev.rnb.data.DomainProportions;
import dev.rnb.model.Gpt;
import dev.rnb.model.GptConfig;
import dev.rnb.train.Trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * R&amp;B's Balance stage inside training: after every backward pass the
 * output head's H and E are split by domain into per-domain final-layer
 * gradients (exact, CountSketched or factored-sketched: {@code --sketch}) by
 * {@link RnbBalancer}; every K steps p' = softmax(lambda G p / ||G p||) with
 * p the evaluation proportions. No extra forward or backward pass.
 *
 * <p>Attached to a trainer ({@link #attach}), the head's weight gradient is
 * assembled from the per-domain pieces (exact mode: one GEMM per domain
 * segment, no second GEMM over the rows; issue #15), so the flops counted
 * per step are the 2 k' v h adds of the pieces into their accumulators and
 * into the head (k' domains present), plus 4 t d for G p per round (t the
 * round's touched domains: two passes over their blocks; k - t absent
 * domains cost nothing). Its timer covers that call, which includes the head's own
 * weight-gradient multiply-adds; the JMH suite "overhead claims"
 * (docs/BENCHMARKS.md) measures the step with and without R&amp;B instead.
 * Sketched, the head's GEMM runs as usual and the sketch after it
 * ({@link SketchSpec#accumulateFlops}); when only {@link #afterBackward} is
 * wired, exact pieces are formed again after backward (2 rows h v flops). The paper's cost
 * model charges T m^2 N instead.
 */
public final class RnbStrategy extends AbstractStrategy {
    private final RnbBalancer balancer;
    private final Backend backend;
    private final int stepsPerRound;
    private final int hidden;
    private final int vocab;
    private final float uniformShare;
    /** {@code prior=natural}: the training domains' sizes q, summing to 1; null for the paper's rule. */
    private final float[] prior;
    /** 1 / q_i (0 where q_i is 0), the tilt back to the balancer's p'; null without the prior. Made once: k floats at 10^6. */
    private final float[] inversePrior;
    /** {@code cap=m}: m q_i, the most domain i may get; null without a cap (the paper's rule). */
    private final float[] shareLimit;
    /** Rounds this process ended, and those in which the cap lowered some domain's share (a diagnostic, not checkpointed). */
    private int roundsHere, cappedHere;
    private int rounds;
    private int skipped;
    private RoundResult last;
    private boolean splitThisStep;
    private final RoundStats stats = new RoundStats();
    /**
     * After the round statistics in {@link #summary}: the hierarchy's groups,
     * where lambda is above {@link LockThreshold}, or lambda=auto's value
     * (flat: never above lambda* / 2) or the finest groups' values.
     */
    private final String note;

    RnbStrategy(Backend backend, int domains, int hidden, int vocab, float[] evalProportions, float lambda, SketchSpec sketch,
                int stepsPerRound, long seed) {
        this(backend, domains, hidden, vocab, evalProportions, lambda, sketch, stepsPerRound, seed, 0f, Float.NaN);
    }

    /**
     * {@code uniformShare} u &gt; 0 is an extension beyond the paper: the
     * proportions used are (1 - u) p' + u / k, so no domain falls below u / k
     * and its gradient estimate stays fed (0 = the paper's rule).
     * {@code carryAbsent}, also beyond the paper, is NaN for the paper's logit 0
     * for absent domains, else the weight of {@link RnbBalancer.Builder#carryAbsent}.
     */
    RnbStrategy(Backend backend, int domains, int hidden, int vocab, float[] evalProportions, float lambda, SketchSpec sketch,
                int stepsPerRound, long seed, float uniformShare, float carryAbsent) {
        this(backend, domains, hidden, vocab, evalProportions, lambda, sketch, stepsPerRound, seed, uniformShare, carryAbsent, null, null, false, 0f);
    }

    /**
     * {@code hierarchy}, beyond the paper, non-null for R&amp;B over clusters of clusters ({@link DomainHierarchy});
     * lambda {@link MixOptions#LAMBDA_AUTO} for {@link RnbBalancer.Builder#autoLambda} (with a hierarchy, its levels
     * above the finest groups at {@link MixOptions#DEFAULT_LAMBDA}), {@link MixOptions#LAMBDA_AUTO_ALL} for
     * {@link RnbBalancer.Builder#autoLambdaAtEveryLevel} (never below it).
     * {@code prior}, beyond the paper, null for its rule, else the training domains' sizes q ({@code prior=natural}):
     * the first round draws from q, and each round trains on p'_i q_i / sum_j p'_j q_j with p' the paper's (or the
     * hierarchy's) update. That is the maximiser of p'^T G p - (||G p|| / lambda) KL(p' || q), the paper's objective
     * with its entropy measured against q rather than the uniform mixture (the paper's is q uniform). The balancer
     * keeps its own p' (a skipped round, or a hierarchy's group that keeps its split, keeps the untilted values), and
     * the proportions in force are dense: O(k) a round.
     * {@code shareCap} m, beyond the paper, 0 for its rule, else &gt;= 1 ({@code cap=m}): the proportions in force,
     * the start's too, are {@link DomainProportions#cappedBy} m q_i, so that no domain's examples are read more than
     * m times as often as drawing by size reads them (O(k) a round, in expectation where the cap binds). With the
     * prior as well, the balancer then keeps the capped p' tilted back, as a resumed run restores it, so that a
     * hierarchy's group that keeps its split keeps the capped values.
     *
     * @param sizes the training domains' sizes (k values &gt;= 0, any scale), needed by the prior and the cap, else may be null
     */
    RnbStrategy(Backend backend, int domains, int hidden, int vocab, float[] evalProportions, float lambda, SketchSpec sketch,
                int stepsPerRound, long seed, float uniformShare, float carryAbsent, DomainHierarchy hierarchy, float[] sizes,
                boolean naturalPrior, float shareCap) {
        super("rnb", naturalPrior ? normalised(sizes, domains) : uniform(domains));
        if (!(uniformShare >= 0 && uniformShare <= 1)) {
            throw new IllegalArgumentException("R&B's uniform share must be in [0, 1], got " + uniformShare);
        }
        if (naturalPrior && uniformShare > 0) {
            throw new IllegalArgumentException("R&B's prior=natural and uniform=" + uniformShare + " together: choose one"
                    + " (the uniform share would mix the mixture back toward the uniform one the prior replaces)");
        }
        if (!(shareCap == 0 || shareCap >= 1 && Float.isFinite(shareCap))) {
            throw new IllegalArgumentException("R&B's share cap must be off (0) or a finite number >= 1, got " + shareCap);
        }
        float[] q = naturalPrior ? current.toArray() : shareCap > 0 ? normalised(sizes, domains) : null;
        this.prior = naturalPrior ? q : null;
        this.inversePrior = naturalPrior ? inverse(q) : null;
        this.shareLimit = shareCap > 0 ? limits(q, shareCap) : null;
        // Under the paper's rule the same uniform values, sparse: no k-element array per round.
        if (!naturalPrior) this.current = DomainProportions.uniform(domains);
        if (shareLimit != null) this.current = current.cappedBy(shareLimit);
        this.uniformShare = uniformShare;
        this.backend = backend;
        this.hidden = hidden;
        this.vocab = vocab;
        this.stepsPerRound = stepsPerRound;
        boolean auto = MixOptions.isAuto(lambda);
        RnbBalancer.Builder builder = RnbBalancer.builder(backend, domains, hidden, vocab)
                .evalProportions(evalProportions).lambda(auto ? MixOptions.DEFAULT_LAMBDA : lambda).sketch(sketch).seed(seed);
        if (lambda == MixOptions.LAMBDA_AUTO) builder.autoLambda();
        if (lambda == MixOptions.LAMBDA_AUTO_ALL) builder.autoLambdaAtEveryLevel();
        if (!Float.isNaN(carryAbsent)) builder.carryAbsent(carryAbsent);
        if (hierarchy != null) builder.hierarchy(hierarchy.parents());
        this.balancer = builder.build();
        if (shareLimit != null) balancer.setProportions(balancerProportions()); // the start capped too
        String extensionsNote = (prior == null ? "" : "; prior natural: started from the training domains' sizes, each p' tilted by them")
                + (shareLimit == null ? "" : String.format(java.util.Locale.ROOT, "; cap %s: no domain above %s times its size's share",
                        trimmed(shareCap), trimmed(shareCap)));
        if (hierarchy != null) {
            this.note = "; " + hierarchy.note() + (auto ? autoWithinGroupsNote(balancer) : "")
                    + (lambda == MixOptions.LAMBDA_AUTO_ALL ? autoAboveGroupsNote(balancer) : "") + extensionsNote;
        } else {
            this.note = (auto ? String.format(java.util.Locale.ROOT, "; lambda auto = %.2f: %s", balancer.lambda(),
                    LambdaRule.describeAuto(evalProportions)) : LockThreshold.note(lambda, evalProportions)) + extensionsNote;
        }
    }

    /** lambda=auto-all with a hierarchy: the lambdas of the nodes above the finest groups, the root's last. */
    private static String autoAboveGroupsNote(RnbBalancer balancer) {
        float[] all = balancer.groupLambdas();
        int finest = balancer.hierarchy().finestGroupCount();
        StringBuilder out = new StringBuilder(String.format(java.util.Locale.ROOT,
                "; lambda auto above the finest groups too, never below %.2f", balancer.lambda()));
        if (all.length - finest <= 8) {
            out.append(":");
            for (int v = finest; v < all.length; v++) out.append(String.format(java.util.Locale.ROOT, " %.2f", all[v]));
            out.append(" (the root last)");
        } else {
            out.append(String.format(java.util.Locale.ROOT, ": the root %.2f", all[all.length - 1]));
        }
        return out.toString();
    }

    /** lambda=auto with a hierarchy: the spread of the finest groups' lambdas. */
    private static String autoWithinGroupsNote(RnbBalancer balancer) {
        float[] all = balancer.groupLambdas();
        int finest = balancer.hierarchy().finestGroupCount();
        float[] own = java.util.Arrays.copyOf(all, finest);
        java.util.Arrays.sort(own);
        double median = (own[(finest - 1) / 2] + own[finest / 2]) / 2.0;
        return String.format(java.util.Locale.ROOT, "; lambda auto within each of the %d finest groups, never below the groups'"
                + " lambda %.2f: %.2f to %.2f, median %.2f", finest, balancer.lambda(), own[0], own[finest - 1], median);
    }

    static RnbStrategy create(MixingContext ctx) {
        MixOptions m = ctx.mix();
        int steps = m.absent().stepsPerRound(ctx.domains(), m.stepsPerRound(), ctx.options().batch());
        float carry = m.absent() == AbsentDomains.CARRY ? (float) m.emaOr(AbsentDomains.DEFAULT_KEEP) : Float.NaN;
        return new RnbStrategy(ctx.backend(), ctx.domains(), ctx.config().channels(), GptConfig.VOCAB,
                ctx.eval().proportions(), m.lambda(), m.sketch(), steps, m.seed(), m.uniformShare(), carry,
                m.hier().isEmpty() ? null : DomainHierarchy.of(ctx), ctx.train().proportions(), m.naturalPrior(), m.shareCap());
    }

    /** Domains the current round has touched so far. */
    int balancerTouched() { return balancer.domainGradients().slots(); }

    /** Floats of a touched domain's accumulator this round's accumulation can write (whole cache lines). */
    long balancerLiveFloats() { return balancer.domainGradients().liveFloats(); }

    /** Floats the per-domain accumulators hold in the backend's memory (the slot buffer). */
    long accumulatorFloats() { return balancer.domainGradients().gradients().size(); }

    /** Steps per round (K, or longer with absent=grow). */
    int stepsPerRound() { return stepsPerRound; }

    /** q / sum q, checked: k finite values &gt;= 0 with a positive sum. */
    private static float[] normalised(float[] q, int k) {
        if (q.length != k) throw new IllegalArgumentException("R&B's prior has " + q.length + " values for " + k + " domains");
        double sum = 0;
        for (int i = 0; i < k; i++) {
            if (!(q[i] >= 0) || Float.isInfinite(q[i])) throw new IllegalArgumentException("R&B's prior for domain " + i + " is " + q[i]);
            sum += q[i];
        }
        if (!(sum > 0) || Double.isInfinite(sum)) throw new IllegalArgumentException("R&B's prior sums to " + sum);
        float[] out = new float[k];
        for (int i = 0; i < k; i++) out[i] = (float) (q[i] / sum);
        return out;
    }

    /** m q_i for each domain. */
    private static float[] limits(float[] q, float m) {
        float[] out = new float[q.length];
        for (int i = 0; i < q.length; i++) out[i] = m * q[i];
        return out;
    }

    /** 4 rather than 4.0 in the summary's note. */
    private static String trimmed(float m) {
        return m == Math.rint(m) ? Long.toString((long) m) : Float.toString(m);
    }

    /** 1 / q_i, and 0 where q_i is 0 (a domain with no training data, drawn with probability 0 either way). */
    private static float[] inverse(float[] q) {
        float[] out = new float[q.length];
        for (int i = 0; i < q.length; i++) out[i] = q[i] > 0 ? 1f / q[i] : 0f;
        return out;
    }

    private static float[] uniform(int k) {
        float[] p = new float[k];
        java.util.Arrays.fill(p, 1f / k);
        return p;
    }

    @Override
    public void attach(Trainer trainer) {
        trainer.setAfterBackward(this::afterBackward);
        trainer.setHeadGradientSplit(this::splitHeadGradient);
    }

    /** In the model's backward: the head's weight gradient dW and this batch's per-domain pieces together. */
    private void splitHeadGradient(Batch batch, Tensor h, Tensor e, int rows, Tensor dW) {
        long t0 = clock(backend);
        try {
            // The present domains are the split's own segments: counting them
            // apart (a copy and sort of the rows' domains) cost a quarter of
            // R&B's per-step work (docs/BENCHMARKS.md, issue #15).
            int present = balancer.accumulateWithHead(h, e, batch.domainOfRow(), rows, dW);
            splitThisStep = true;
            flops += balancer.domainGradients().spec().accumulateFlops(rows, present, vocab, hidden);
        } finally {
            nanos += clock(backend) - t0;
        }
    }

    @Override
    protected void doAfterBackward(Gpt model, Batch batch) {
        if (splitThisStep) {
            splitThisStep = false;
            return;
        }
        balancer.accumulate(model.finalLayerInput(), model.logitGradients(), batch.domainOfRow(), model.rows());
        flops += afterBackwardFlops(model.rows());
    }

    /** Adds one batch held in host arrays (what {@link #afterBackward} does with the model's tensors). */
    void accumulate(float[] h, float[] e, int[] domainOfRow, int rows) {
        balancer.accumulate(h, e, domainOfRow, rows);
        flops += afterBackwardFlops(rows);
    }

    /** Exact: the pieces formed again beside the model's own head GEMM; sketched: the sketch's own work. */
    private double afterBackwardFlops(int rows) {
        SketchSpec spec = balancer.domainGradients().spec();
        return spec.kind() == SketchSpec.Kind.EXACT ? 2.0 * rows * hidden * vocab
                : spec.accumulateFlops(rows, 0, vocab, hidden);
    }

    /** Adds one batch already in the backend's memory (H rows x hidden, E rows x vocab). */
    void accumulate(Tensor h, Tensor e, int[] domainOfRow, int rows) {
        balancer.accumulate(h, e, domainOfRow, rows);
        flops += afterBackwardFlops(rows);
    }

    @Override
    protected DomainProportions nextProportions(int step, Trainer trainer) {
        return step % stepsPerRound == 0 ? endRound() : null;
    }

    /**
     * Ends the round now: p' from the gradients accumulated since the last
     * round. Under the paper's rule O(touched): p' stays sparse from the
     * balancer to the sampler (immutable, so shared, never copied).
     */
    DomainProportions endRound() {
        long d0 = clock(backend);
        float[] gramDiagonal = balancer.domainGradients().domains() <= RoundStats.MAX_DOMAINS ? balancer.gramDiagonal() : null;
        nanos -= clock(backend) - d0; // a diagnostic for the report, not part of the method's cost
        DomainProportions before = current;
        last = balancer.endRound();
        rounds++;
        roundsHere++;
        if (last.status().skipped()) {
            skipped++; // the proportions in force stay as they are: not mixed, tilted or capped a second time
        } else {
            DomainProportions next = prior == null ? last.mixture().mixWithUniform(uniformShare) : last.mixture().weightedBy(prior);
            current = shareLimit == null ? next : next.cappedBy(shareLimit);
            if (current != next) cappedHere++;
        }
        flops += 4.0 * last.touched().length * balancer.domainGradients().dimension();
        // With the prior alone the balancer keeps its own, untilted p'; capped, the capped one tilted back, as a resume restores it.
        if (prior == null || shareLimit != null) balancer.setProportions(balancerProportions());
        stats.add(before, current, last, gramDiagonal);
        return current;
    }

    @Override
    public String summary() {
        String bound = shareLimit == null ? "" : String.format(java.util.Locale.ROOT, "; the cap bound in %d of the %d rounds this run ended", cappedHere, roundsHere);
        return stats.summary() + note + bound; // after the round statistics, which scripts/results/rnb-rounds.py reads
    }

    /** The last round's result (null before the first round ends). */
    public RoundResult lastRound() { return last; }

    public int rounds() { return rounds; }

    @Override
    public double costModelRatio(double trainingTokens) {
        double m = domains();
        return rounds * m * m / (6 * trainingTokens);
    }

    public int skippedRounds() { return skipped; }

    /**
     * Only the touched domains' accumulators: O(touched x d), not O(k d); then the hierarchy's groups, one int
     * array per level, finest first; then the carried scores if any (per domain, and per group after them). The
     * proportions in force come before, in their own form ({@link AbstractStrategy#saveState}): with a hierarchy
     * at many domains grouped by its finest groups ({@link RestoredState#groups}), which this state restores, so that
     * a resumed run draws from the same table.
     */
    @Override
    protected void writeOwn(DataOutputStream out) throws IOException {
        out.writeInt(rounds);
        out.writeInt(skipped);
        DomainGradients g = balancer.domainGradients();
        long[] counts = g.slotCounts();
        out.writeInt(counts.length);
        float[] block = new float[Math.toIntExact(g.dimension())];
        for (int s = 0; s < counts.length; s++) {
            out.writeInt(g.domainOfSlot(s));
            out.writeLong(counts[s]);
            g.downloadSlot(s, block);
            writeFloats(out, block);
        }
        if (balancer.hierarchy() != null) {
            for (int[] level : balancer.hierarchy().parents()) writeInts(out, level);
        }
        double[] carried = balancer.carriedScores();
        if (carried != null) writeDoubles(out, carried);
    }

    /**
     * Reads and checks every field, changing nothing (the hierarchy is built
     * and its carried scores checked aside), so that a state cut short,
     * malformed, or refused after this leaves this strategy as it was; what it
     * returns puts the hierarchy, the carried scores and the touched
     * accumulators in force, and gives the restored finest groups, to which
     * the stored proportions are bound.
     */
    @Override
    protected RestoredState readOwn(DataInputStream in) throws IOException {
        int restoredRounds = in.readInt();
        int restoredSkipped = in.readInt();
        DomainGradients g = balancer.domainGradients();
        int touched = in.readInt();
        if (touched < 0 || touched > g.domains() || (long) touched * (4 + 8 + 4) > in.available()) {
            throw new IOException("R&B state names " + touched + " touched domains of " + g.domains());
        }
        int[] domains = new int[touched];
        long[] counts = new long[touched];
        float[][] blocks = new float[touched][];
        for (int s = 0; s < touched; s++) {
            domains[s] = in.readInt();
            counts[s] = in.readLong();
            blocks[s] = readFloats(in);
        }
        int[][] parents = null;
        if (balancer.hierarchy() != null) {
            parents = new int[balancer.hierarchy().levels()][];
            for (int j = 0; j < parents.length; j++) parents[j] = readInts(in);
        }
        double[] expected = balancer.carriedScores();
        double[] carried = expected != null ? readDoubles(in) : null;
        try {
            g.checkRestorable(domains, counts, blocks);
        } catch (IllegalArgumentException e) {
            throw new IOException("R&B state's accumulators: " + e.getMessage());
        }
        HierarchicalUpdate hierarchy = null;
        if (parents != null) {
            try {
                hierarchy = balancer.restoredHierarchy(parents, carried);
            } catch (IllegalArgumentException e) {
                throw new IOException("R&B state's hierarchy or carried scores: " + e.getMessage());
            }
        } else if (carried != null && carried.length != expected.length) {
            throw new IOException("R&B state's carried scores: expected " + expected.length + " carried scores, got " + carried.length);
        }
        HierarchicalUpdate restoredHierarchy = hierarchy;
        return new RestoredState() {
            @Override
            public void apply() {
                if (restoredHierarchy != null) {
                    balancer.restoreHierarchy(restoredHierarchy);
                } else if (carried != null) {
                    balancer.restoreCarriedScores(carried);
                }
                g.startRound(restoredRounds);
                for (int s = 0; s < touched; s++) g.restoreSlot(domains[s], counts[s], blocks[s]);
                rounds = restoredRounds;
                skipped = restoredSkipped;
            }

            @Override
            public DomainGroups groups() { return restoredHierarchy == null ? null : restoredHierarchy.finestGroups(); }
        };
    }

    /** The restored p' in its own form (sparse, or grouped by the restored groups): the next round is O(touched) as before. */
    @Override
    protected void proportionsRestored() {
        balancer.setProportions(balancerProportions());
    }

    /**
     * The balancer's p' for the proportions in force: the same, or with the prior tilted back (exact up to rounding
     * for an uncapped p'; 0 for a domain without training data).
     */
    private DomainProportions balancerProportions() {
        return prior == null ? current : current.weightedBy(inversePrior);
    }

    @Override
    public void close() {
        balancer.close();
    }
}
