package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.Tensor;
import dev.rnb.data.DomainProportions;

import java.util.Arrays;

/**
 * R&amp;B's Balance stage for a Java trainer. After each backward pass, hand it
 * the final layer's input activations H (rows x hidden), its output gradients
 * E (rows x vocab) and the domain of every row; at the end of a round it
 * returns the next training proportions p' = softmax(lambda * G p / ||G p||),
 * where G is the Gram matrix of the per-domain gradients (never formed: G p
 * costs O(k d)) and p the evaluation proportions.
 *
 * <p>Only the domains a round touched enter G p (their accumulators are
 * sparse: {@link DomainGradients}), so a round costs O(touched x d); under the
 * paper's rule p' comes out sparse ({@link DomainProportions}: the touched
 * domains' values plus one shared by the absent ones) and the round does no
 * O(k) work on the host (a reducer's all-reduce moves k x d floats; from
 * {@code MixtureSampler.SPARSE_MIN_DOMAINS} domains on carried scores make it
 * O(domains seen so far) and a hierarchy O(touched x levels + groups), its p'
 * grouped; below, both are O(k) with a dense p'). Degenerate rounds are explicit: a domain with no rows
 * this round gets logit 0 (the paper's rule; {@link Builder#carryAbsent} is
 * an alternative) and is left out of G p; a non-finite G p, a zero G p or a round
 * without rows keeps the current proportions and is counted as skipped.
 *
 * <p>Not thread-safe: call it from the training thread. Separate balancers
 * on separate backends may run on separate threads (tested in
 * ConcurrencyTest); two balancers on one backend must not be used at once.
 */
public final class RnbBalancer implements AutoCloseable {
    private final Backend backend;
    private final DomainGradients gradients;
    private final float[] evalProportions;
    /**
     * Every domain's evaluation proportion when they are all equal (a uniform
     * evaluation split), else NaN: the round then reads no k-float array per
     * touched domain (at k = 10^6 those reads were cache misses, 20 us a round).
     */
    private final float sharedEvalProportion;
    private final float lambda;
    private final boolean autoLambda;
    /** With a hierarchy and {@link #autoLambda}: the rule at the levels above the finest groups too. */
    private final boolean autoAtEveryLevel;
    /** With a hierarchy: each group node's lambda ({@link HierarchicalUpdate#update}); else null. */
    private float[] groupLambdas;
    private final int hidden;
    private final int vocab;
    private final GradientReducer reducer;
    private final CarriedScores carried;
    private HierarchicalUpdate hierarchy;
    private DomainProportions proportions;
    private int round;
    private int skippedRounds;
    private Tensor stagingH;
    private Tensor stagingE;

    private RnbBalancer(Builder b) {
        this.backend = b.backend;
        this.hidden = b.hidden;
        this.vocab = b.vocab;
        this.reducer = b.reducer;
        this.evalProportions = b.evalProportions != null ? b.evalProportions.clone() : uniform(b.domains);
        this.autoLambda = b.autoLambda;
        this.autoAtEveryLevel = b.autoAtEveryLevel;
        this.lambda = b.autoLambda && b.parents == null ? LambdaRule.auto(evalProportions) : b.lambda;
        this.sharedEvalProportion = shared(evalProportions);
        this.proportions = DomainProportions.uniform(b.domains);
        this.gradients = new DomainGradients(b.backend, b.domains, b.hidden, b.vocab, b.sketch, b.seed);
        this.carried = Float.isNaN(b.carryAbsent) || b.parents != null ? null : new CarriedScores(b.domains, b.carryAbsent);
        this.hierarchy = b.parents == null ? null : new HierarchicalUpdate(b.parents, b.carryAbsent);
        this.groupLambdas = hierarchy == null ? null : lambdasOf(hierarchy);
    }

    private float[] lambdasOf(HierarchicalUpdate h) {
        if (!autoLambda) return h.sameLambda(lambda);
        return autoAtEveryLevel ? h.autoAtEveryNode(evalProportions, lambda) : h.autoWithinFinestGroups(evalProportions, lambda);
    }

    /**
     * The softmax's lambda: as set, or {@link Builder#autoLambda}'s value; with
     * a hierarchy, the lambda of its levels above the finest groups (each
     * finest group's own: {@link #groupLambdas}).
     */
    public float lambda() { return lambda; }

    /**
     * With a hierarchy: each group node's lambda (node v's at v - k: the finest
     * groups first, the root last; a copy); else null.
     */
    public float[] groupLambdas() { return groupLambdas == null ? null : groupLambdas.clone(); }

    public static Builder builder(Backend backend, int domains, int hidden, int vocab) {
        return new Builder(backend, domains, hidden, vocab);
    }

    private static float[] uniform(int k) {
        float[] p = new float[k];
        Arrays.fill(p, 1f / k);
        return p;
    }

    /** The value every entry has, or NaN when two differ (or there is none: the domain count is checked after). */
    private static float shared(float[] p) {
        if (p.length == 0) return Float.NaN;
        for (float v : p) {
            if (v != p[0]) return Float.NaN;
        }
        return p[0];
    }

    /** Adds a batch held in host arrays: h is rows x hidden, e is rows x vocab, row-major. */
    public void accumulate(float[] h, float[] e, int[] domainOfRow, int rows) {
        if ((long) rows * hidden > h.length || (long) rows * vocab > e.length) {
            throw new IllegalArgumentException("rows=" + rows + " needs h of " + (long) rows * hidden + " and e of "
                    + (long) rows * vocab + " floats, got " + h.length + " and " + e.length);
        }
        if (stagingH == null || stagingH.size() < (long) rows * hidden) {
            closeStaging();
            stagingH = backend.allocate((long) Math.max(1, rows) * hidden);
            stagingE = backend.allocate((long) Math.max(1, rows) * vocab);
        }
        backend.upload(h, 0, stagingH, 0, rows * hidden);
        backend.upload(e, 0, stagingE, 0, rows * vocab);
        gradients.accumulate(stagingH, stagingE, rows, domainOfRow);
    }

    /** Adds a batch already in the backend's memory (no copy). */
    public void accumulate(Tensor h, Tensor e, int[] domainOfRow, int rows) {
        gradients.accumulate(h, e, rows, domainOfRow);
    }

    /**
     * Adds a batch already in the backend's memory and builds the output
     * head's weight gradient from the same multiply-adds: headGrad (vocab x
     * hidden) += E^T H. What a model's backward calls in place of its own
     * GEMM ({@code Gpt.backward(Gpt.HeadGradient)}). Returns the number of
     * distinct domains among the batch's rows.
     */
    public int accumulateWithHead(Tensor h, Tensor e, int[] domainOfRow, int rows, Tensor headGrad) {
        return gradients.accumulateWithHead(h, e, rows, domainOfRow, headGrad);
    }

    /**
     * Ends the round: sums the accumulators over the replicas (when built with a
     * {@link GradientReducer}; every replica must call this), computes p', resets
     * the accumulators, and returns the result.
     */
    public RoundResult endRound() {
        if (reducer != null) {
            reducer.allReduce(gradients);
        }
        int[] touched = gradients.touchedDomains();
        long[] counts = gradients.slotCounts();
        DomainProportions next;
        BalanceStep.Status status;
        if (hierarchy != null) {
            TouchedSoftmax.Step step = hierarchy.update(backend, gradients, evalProportions, groupLambdas, proportions);
            gradients.reset();
            next = step.next();
            status = step.status();
        } else if (carried != null) {
            TouchedSoftmax.Step step = carried.update(touched, touchedGramTimesPThenReset(), lambda, proportions);
            next = step.next();
            status = step.status();
        } else {
            TouchedSoftmax.Step step = TouchedSoftmax.update(gradients.domains(), touched, touchedGramTimesPThenReset(), lambda, proportions);
            next = step.next();
            status = step.status();
        }
        if (status.skipped()) {
            skippedRounds++;
        }
        proportions = reducer == null ? next : reducer.broadcastProportions(next);
        return new RoundResult(round++, proportions, status, touched, counts);
    }

    /**
     * G p over the touched domains only (slot order; empty when none), and the
     * accumulators emptied for the next round in the same pass: O(touched x d).
     */
    private float[] touchedGramTimesPThenReset() {
        int n = gradients.slots();
        float[] p = new float[n];
        for (int s = 0; s < n; s++) {
            p[s] = Float.isNaN(sharedEvalProportion) ? evalProportions[gradients.domainOfSlot(s)] : sharedEvalProportion;
        }
        return gradients.gramTimesPThenReset(p);
    }

    /**
     * The Gram matrix's diagonal G_ii = ||g_i||^2 / n_i^2 of the current round
     * so far (k floats, 0 for absent domains), what the round report needs
     * ({@code RoundStats}): one pass over the touched domains' accumulators
     * ({@code rowSquaredNorms}), where the whole k x k matrix took O(touched^2 d)
     * and a k^2-float array to read k entries of it.
     */
    public float[] gramDiagonal() {
        int k = gradients.domains();
        int n = gradients.slots();
        float[] diagonal = new float[k];
        if (n == 0) {
            return diagonal;
        }
        float[] norms = new float[n];
        try (Tensor out = backend.allocate(n)) {
            backend.rowSquaredNorms(gradients.gradients(), n, Math.toIntExact(gradients.dimension()), out);
            backend.download(out, 0, norms, 0, n);
        }
        float[] scale = gradients.inverseSlotCounts();
        int[] touched = gradients.touchedDomains();
        for (int a = 0; a < n; a++) {
            diagonal[touched[a]] = norms[a] * scale[a] * scale[a];
        }
        return diagonal;
    }

    /** The current training proportions, all k (O(k)). */
    public float[] proportions() { return proportions.toArray(); }

    /** Restores proportions (e.g. from a checkpoint). */
    public void setProportions(float[] p) {
        setProportions(DomainProportions.dense(p));
    }

    /** The same, in either form. */
    public void setProportions(DomainProportions p) {
        if (p.domains() != proportions.domains()) {
            throw new IllegalArgumentException("expected " + proportions.domains() + " proportions, got " + p.domains());
        }
        proportions = p;
    }

    /**
     * With {@link Builder#carryAbsent}: each domain's carried score (NaN: never seen), and with a hierarchy each
     * group's after them ({@link HierarchicalUpdate#carriedScores}); else null.
     */
    public double[] carriedScores() {
        if (hierarchy != null) return hierarchy.carriedScores();
        return carried == null ? null : carried.state();
    }

    /** Restores what {@link #carriedScores()} returned (e.g. from a checkpoint). */
    public void restoreCarriedScores(double[] scores) {
        if (hierarchy != null && !Float.isNaN(hierarchy.keep())) {
            hierarchy.restoreCarriedScores(scores);
            return;
        }
        if (carried == null) {
            throw new IllegalStateException("this balancer does not carry absent domains' scores");
        }
        carried.restore(scores);
    }

    /** With {@link Builder#hierarchy}: the groups; else null. */
    public HierarchicalUpdate hierarchy() { return hierarchy; }

    /**
     * The hierarchy a checkpoint's groups ({@link HierarchicalUpdate#parents}) and, when the hierarchy carries
     * scores, those ({@link #carriedScores()} of the run saved; null: they start afresh) make, built and checked
     * but not in force ({@link #restoreHierarchy}): a refusal, or a state refused later, leaves the balancer as it
     * was. Only for a balancer built with a hierarchy of as many levels.
     */
    public HierarchicalUpdate restoredHierarchy(int[][] parents, double[] carriedScores) {
        if (hierarchy == null) {
            throw new IllegalStateException("this balancer has no hierarchy");
        }
        if (parents.length != hierarchy.levels() || parents[0].length != gradients.domains()) {
            throw new IllegalArgumentException("expected " + hierarchy.levels() + " levels of groups over " + gradients.domains()
                    + " domains, got " + parents.length + (parents.length > 0 ? " over " + parents[0].length : ""));
        }
        HierarchicalUpdate restored = new HierarchicalUpdate(parents, hierarchy.keep());
        if (carriedScores != null) restored.restoreCarriedScores(carriedScores);
        return restored;
    }

    /** Puts a hierarchy of {@link #restoredHierarchy} in force, replacing the groups and their carried scores. */
    public void restoreHierarchy(HierarchicalUpdate restored) {
        if (hierarchy == null || restored.levels() != hierarchy.levels()) {
            throw new IllegalStateException("not a hierarchy of this balancer's levels");
        }
        groupLambdas = lambdasOf(restored);
        hierarchy = restored;
    }

    public int roundsCompleted() { return round; }

    public int skippedRounds() { return skippedRounds; }

    public DomainGradients domainGradients() { return gradients; }

    private void closeStaging() {
        if (stagingH != null) {
            stagingH.close();
            stagingE.close();
        }
    }

    @Override
    public void close() {
        closeStaging();
        gradients.close();
    }

    /** Options; defaults: uniform evaluation proportions, lambda 3 (the paper's S1 value), exact gradients. */
    public static final class Builder {
        private final Backend backend;
        private final int domains;
        private final int hidden;
        private final int vocab;
        private float[] evalProportions;
        private float lambda = 3f;
        private boolean autoLambda;
        private boolean autoAtEveryLevel;
        private SketchSpec sketch = SketchSpec.EXACT;
        private long seed = 0x5EEDL;
        private GradientReducer reducer;
        private float carryAbsent = Float.NaN;
        private int[][] parents;

        private Builder(Backend backend, int domains, int hidden, int vocab) {
            this.backend = backend;
            this.domains = domains;
            this.hidden = hidden;
            this.vocab = vocab;
        }

        /** Evaluation proportions p (fraction of evaluation examples per domain); normalised here. */
        public Builder evalProportions(float[] p) {
            if (p.length != domains) {
                throw new IllegalArgumentException("expected " + domains + " evaluation proportions, got " + p.length);
            }
            double sum = 0;
            for (int i = 0; i < p.length; i++) {
                if (!(p[i] >= 0) || !Float.isFinite(p[i])) {
                    throw new IllegalArgumentException("evaluation proportion " + i + " is " + p[i] + "; must be finite and >= 0");
                }
                sum += p[i];
            }
            if (sum <= 0) {
                throw new IllegalArgumentException("evaluation proportions sum to 0");
            }
            float[] normalised = new float[p.length];
            for (int i = 0; i < p.length; i++) {
                normalised[i] = (float) (p[i] / sum);
            }
            this.evalProportions = normalised;
            return this;
        }

        /** Temperature of the softmax; larger is sharper. Must be finite and >= 0. */
        public Builder lambda(float lambda) {
            if (!Float.isFinite(lambda) || lambda < 0) {
                throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
            }
            this.lambda = lambda;
            this.autoLambda = false;
            this.autoAtEveryLevel = false;
            return this;
        }

        /**
         * Beyond the paper: lambda = {@link LambdaRule#auto} of the evaluation
         * proportions, min(1.5 ln k, lambda* / 2), read when the balancer is
         * built (for many domains: at the paper's lambda p' stays within
         * rounding of uniform from about k = 256; docs/SCALING.md §3). With a
         * {@link #hierarchy}, each finest group's lambda among its domains is
         * the rule's for their proportions, never below the lambda set before,
         * which the levels above keep ({@link HierarchicalUpdate#autoWithinFinestGroups}).
         * A later {@link #lambda} replaces it.
         */
        public Builder autoLambda() {
            this.autoLambda = true;
            this.autoAtEveryLevel = false;
            return this;
        }

        /**
         * Beyond the paper: {@link #autoLambda}, and with a {@link #hierarchy}
         * the rule at every level: each group node's lambda among its children
         * is the rule's for their evaluation shares, never below the lambda set
         * before ({@link HierarchicalUpdate#autoAtEveryNode}). Without a
         * hierarchy the same as {@link #autoLambda}. A later {@link #lambda}
         * replaces it.
         */
        public Builder autoLambdaAtEveryLevel() {
            this.autoLambda = true;
            this.autoAtEveryLevel = true;
            return this;
        }

        /** 0 keeps exact gradients; r &gt; 0 keeps an r-float CountSketch per domain. */
        public Builder sketch(int r) {
            this.sketch = SketchSpec.count(r);
            return this;
        }

        /** Exact gradients, a CountSketch or a factored sketch (docs/ARCHITECTURE.md, "The sketches"). */
        public Builder sketch(SketchSpec spec) {
            this.sketch = java.util.Objects.requireNonNull(spec, "sketch");
            return this;
        }

        /** Base seed of the sketches; each round draws its own from it and the round number. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Data parallelism: this replica's member of a reducer group; every
         * replica then ends each round with the global batch's p'. Replicas
         * must share the domains, widths, sketch size and seed.
         */
        public Builder reducer(GradientReducer reducer) {
            this.reducer = java.util.Objects.requireNonNull(reducer, "reducer");
            return this;
        }

        /**
         * Beyond the paper: a domain absent from a round gets logit lambda m_i
         * instead of 0, where m_i is an exponential moving average of its
         * normalised score (G p)_i / ||G p|| over the rounds it was present
         * (m_i = keep m_i + (1 - keep) s_i; its first score as is; 0 until it
         * is first seen). keep in [0, 1): the weight of the previous average.
         */
        public Builder carryAbsent(float keep) {
            if (!(keep >= 0 && keep < 1)) {
                throw new IllegalArgumentException("carried-score weight must be in [0, 1), got " + keep);
            }
            this.carryAbsent = keep;
            return this;
        }

        /**
         * Beyond the paper: R&amp;B over clusters of clusters ({@link HierarchicalUpdate}),
         * groupOf[i] the group (0 .. G-1, none empty) of domain i.
         */
        public Builder hierarchy(int[] groupOf) {
            return hierarchy(new int[][] {groupOf});
        }

        /**
         * Beyond the paper: R&amp;B over a tree of groups ({@link HierarchicalUpdate}): parents[0][i] the finest
         * group of domain i, parents[j][a] the level-j group of level j - 1's group a. With
         * {@link #carryAbsent}, every domain and group carries its score ({@link HierarchicalUpdate}).
         */
        public Builder hierarchy(int[][] parents) {
            if (parents.length == 0 || parents[0].length != domains) {
                throw new IllegalArgumentException("expected a group for each of " + domains + " domains, got "
                        + (parents.length == 0 ? "no level" : parents[0].length));
            }
            this.parents = new int[parents.length][];
            for (int j = 0; j < parents.length; j++) this.parents[j] = parents[j].clone();
            return this;
        }

        public RnbBalancer build() {
            return new RnbBalancer(this);
        }
    }
}
