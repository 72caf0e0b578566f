package dev.rnb.mix;

import dev.rnb.train.Trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Skill-It (Chen et al. 2023, arXiv 2307.14430, online data selection) as
 * rnb-method.md restates it. Warm-up: the first round (K training steps)
 * trains on the initial (Stratified) mixture, so the skills graph is not
 * measured on a freshly initialised model whose every loss falls with any
 * data. At the end of the warm-up the graph A is estimated: from the
 * warmed-up model, train on each domain i alone for {@code probeSteps} steps
 * and measure the relative drop of every domain j's evaluation loss,
 * A_ij = max(0, (L_j - L_j') / L_j) (model and moments restored after each:
 * these probes are the paper's m delta of extra training). Every round from
 * then on, evaluate the per-domain losses on the evaluation subset and set
 * p_i proportional to p_1,i exp(eta sum_j A_ij sum_window L_j).
 *
 * <p>Extra cost: m probeSteps training steps (m delta), (m + 1) evaluation
 * passes for the graph and one per round ((T + m) D_e).
 */
public final class SkillItStrategy extends AbstractStrategy {
    static final double DEFAULT_ETA = 0.5;

    private final float[] initial;
    private final EvalProbe probe;
    private final DomainBatches batches;
    private final int stepsPerRound;
    private final int probeSteps;
    private final int window;
    private final double eta;
    private final double stepFlops;
    private final double evalFlops;
    private final double batchTokens;
    private int rounds;
    private double[][] graph;
    private final Deque<double[]> recent = new ArrayDeque<>();

    SkillItStrategy(MixingContext ctx) {
        super("skill-it", ctx.stratified());
        MixOptions m = ctx.mix();
        this.initial = ctx.stratified();
        this.probe = new EvalProbe(ctx.eval(), m.evalExamples(), ctx.options().batch(), ctx.config().context());
        this.batches = new DomainBatches(ctx.train(), ctx.options().batch(), ctx.config().context(), m.seed() ^ 0x5C111L);
        this.stepsPerRound = m.stepsPerRound();
        this.probeSteps = m.probeSteps();
        this.window = m.window();
        this.eta = m.etaOr(DEFAULT_ETA);
        double n = new dev.rnb.model.ParameterLayout(ctx.config()).size();
        this.stepFlops = 6 * n * ctx.batchTokens();
        this.evalFlops = 2 * n * probe.tokens();
        this.batchTokens = ctx.batchTokens();
    }

    /** delta = probeSteps batches per domain over D_t; D_e = the probe's tokens; T = rounds. */
    @Override
    public double costModelRatio(double trainingTokens) {
        double m = domains(), delta = probeSteps * batchTokens / trainingTokens;
        return m * delta + (rounds + m) * probe.tokens() / (3 * trainingTokens);
    }

    /** Steps trained on the initial mixture before the graph is measured (one round). */
    int warmupSteps() { return stepsPerRound; }

    private void estimateGraph(Trainer trainer) {
        int k = initial.length;
        float[] start = trainer.snapshot();
        double[] before = evaluate(trainer);
        graph = new double[k][k];
        for (int i = 0; i < k; i++) {
            if (!batches.has(i)) continue;
            for (int s = 0; s < probeSteps; s++) {
                trainer.probeStep(batches.of(i));
                flops += stepFlops;
            }
            double[] after = evaluate(trainer);
            for (int j = 0; j < k; j++) {
                graph[i][j] = before[j] > 0 ? Math.max(0, (before[j] - after[j]) / before[j]) : 0;
            }
            trainer.restoreSnapshot(start);
        }
    }

    private double[] evaluate(Trainer trainer) {
        flops += evalFlops;
        return probe.evaluate(trainer);
    }

    @Override
    protected float[] doEndOfStep(int step, Trainer trainer) {
        if (step % stepsPerRound != 0) {
            return null;
        }
        if (graph == null) {
            estimateGraph(trainer);
        }
        rounds++;
        recent.addLast(evaluate(trainer));
        while (recent.size() > window) recent.removeFirst();
        double[] summed = new double[initial.length];
        for (double[] l : recent) for (int j = 0; j < l.length; j++) summed[j] += l[j];
        return update(initial, graph, summed, eta);
    }

    /** p_i proportional to p1_i exp(eta sum_j A_ij windowLoss_j). */
    static float[] update(float[] p1, double[][] a, double[] windowLoss, double eta) {
        double[] score = new double[p1.length];
        for (int i = 0; i < p1.length; i++) {
            for (int j = 0; j < p1.length; j++) score[i] += a[i][j] * windowLoss[j];
        }
        return exponentiate(p1, score, eta);
    }

    /** The skills graph A (row i: what training on domain i does to each domain's loss); null before {@link #begin}. */
    public double[][] graph() {
        if (graph == null) return null;
        double[][] copy = new double[graph.length][];
        for (int i = 0; i < graph.length; i++) copy[i] = graph[i].clone();
        return copy;
    }

    @Override
    protected void writeOwn(DataOutputStream out) throws IOException {
        out.writeLong(batches.state());
        out.writeInt(rounds);
        out.writeBoolean(graph != null);
        if (graph != null) for (double[] row : graph) writeDoubles(out, row);
        out.writeInt(recent.size());
        for (double[] l : recent) writeDoubles(out, l);
    }

    @Override
    protected RestoredState readOwn(DataInputStream in) throws IOException {
        long batchesState = in.readLong();
        int restoredRounds = in.readInt();
        double[][] g = null;
        if (in.readBoolean()) {
            g = new double[initial.length][];
            for (int i = 0; i < g.length; i++) g[i] = readDoubles(in);
        }
        int n = in.readInt();
        List<double[]> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(readDoubles(in));
        double[][] restoredGraph = g;
        return () -> {
            batches.setState(batchesState);
            rounds = restoredRounds;
            graph = restoredGraph;
            recent.clear();
            recent.addAll(l);
        };
    }
}
