package dev.rnb.mix;

import dev.rnb.data.DomainProportions;
import dev.rnb.train.Trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Aioli (Chen, Hu, Lourie, Cho, Ré 2024, arXiv 2411.05735, Algorithms 1-2),
 * nothing rolled back: every step is an ordinary training step inside the
 * run's budget.
 *
 * <p>Each round of L steps starts with LearnParams: {@code sweeps} sweeps over
 * the m domains; for domain j, {@code probeSteps} training steps on the
 * mixture tilted toward j (weight {@code oneHot} on j, (1 - oneHot)/(m - 1)
 * on each other domain), then A[:, j] += L(before) - L(after), the drop of
 * every evaluation domain's loss on the evaluation subset (each block's
 * "before" is the previous block's "after"). After the phase: A /= sweeps;
 * with oneHot &lt; 1 each row of A is unmixed, A[i] = W^-1 A[i] with W the
 * tilted mixtures (row j = mixture tilted toward j); optionally normalised
 * (if its smallest entry is negative: shift by it, divide by the sum);
 * then without EMA p = p_prev * exp(eta * colsum(A)), with EMA
 * Ā = (1 - ema) A + ema Ā_prev and p = p_0 * exp(eta * colsum(Ā)) (the
 * paper's code restarts from p_0 when smoothing). The rest of the round trains
 * on p. Defaults follow the paper's SlimPajama scripts where they fit this
 * budget: oneHot 0.75, EMA 0.1, normalised, eta 1, one sweep.
 *
 * <p>Extra cost: the evaluations, sweeps m + 1 per round (the paper's
 * T m D_e / (3 D_t)); the LearnParams steps are training steps.
 * L = max(K, 2 sweeps m probeSteps), so at least half of each round trains on
 * the learned mixture.
 */
public final class AioliStrategy extends AbstractStrategy {
    static final double DEFAULT_ETA = 1.0, DEFAULT_EMA = 0.1, ONE_HOT = 0.75;
    static final boolean NORMALIZE = true;
    static final int SWEEPS = 1;

    private final EvalProbe probe;
    private final int[] present;
    private final float[] initial;
    private final int roundLength;
    private final int totalSteps;
    private final int probeSteps;
    private final int phaseLength;
    private final double eta;
    private final double ema;
    private final double evalFlops;
    private float[] mixture;
    private double[][] a;
    private double[][] smoothed;
    private double[] before;
    private int rounds;

    AioliStrategy(MixingContext ctx) {
        super("aioli", ctx.stratified());
        MixOptions m = ctx.mix();
        this.probe = new EvalProbe(ctx.eval(), m.evalExamples(), ctx.options().batch(), ctx.config().context());
        int k = ctx.domains(), count = 0;
        for (int d = 0; d < k; d++) if (ctx.train().countOf(d) > 0) count++;
        this.present = new int[count];
        for (int d = 0, i = 0; d < k; d++) if (ctx.train().countOf(d) > 0) present[i++] = d;
        this.initial = ctx.stratified();
        this.mixture = initial.clone();
        this.probeSteps = m.probeSteps();
        this.phaseLength = SWEEPS * present.length * probeSteps;
        this.roundLength = Math.max(m.stepsPerRound(), 2 * phaseLength);
        this.totalSteps = ctx.options().steps();
        this.eta = m.etaOr(DEFAULT_ETA);
        this.ema = m.emaOr(DEFAULT_EMA);
        double n = new dev.rnb.model.ParameterLayout(ctx.config()).size();
        this.evalFlops = 2 * n * probe.tokens();
        this.a = new double[k][k];
        this.current = DomainProportions.dense(tilted(initial.length, present, 0, ONE_HOT));
    }

    /** Steps per round (K, or twice the LearnParams phase when that is longer). */
    int roundLength() { return roundLength; }

    /** T m D_e / (3 D_t), D_e = the probe's tokens, T = rounds started. */
    @Override
    public double costModelRatio(double trainingTokens) {
        return rounds * domains() * probe.tokens() / (3 * trainingTokens);
    }

    /** The mixture tilted toward present[block]: oneHot there, the rest spread over the other present domains. */
    static float[] tilted(int k, int[] present, int block, double oneHot) {
        float[] p = new float[k];
        if (present.length == 1) {
            p[present[0]] = 1f;
            return p;
        }
        for (int d : present) p[d] = (float) ((1 - oneHot) / (present.length - 1));
        p[present[block]] = (float) oneHot;
        return p;
    }

    @Override
    protected void doBegin(Trainer trainer) {
        if (trainer.step() == 0 && before == null) startRound(trainer);
    }

    private void startRound(Trainer trainer) {
        rounds++;
        before = evaluate(trainer);
        for (double[] row : a) java.util.Arrays.fill(row, 0);
    }

    private double[] evaluate(Trainer trainer) {
        flops += evalFlops;
        return probe.evaluate(trainer);
    }

    @Override
    protected float[] doEndOfStep(int step, Trainer trainer) {
        if (step >= totalSteps) {
            return null; // nothing left to train: no evaluation would be used
        }
        int pos = step % roundLength; // position of the next step in its round
        if (pos == 0) {
            startRound(trainer);
            return tilted(initial.length, present, 0, ONE_HOT);
        }
        if (pos > phaseLength || pos % probeSteps != 0) {
            return null;
        }
        int block = pos / probeSteps - 1;
        int j = present[block % present.length];
        double[] after = evaluate(trainer);
        for (int i = 0; i < a.length; i++) a[i][j] += before[i] - after[i];
        before = after;
        if (pos < phaseLength) {
            return tilted(initial.length, present, (block + 1) % present.length, ONE_HOT);
        }
        Update u = update(a, present, SWEEPS, ONE_HOT, NORMALIZE, ema, smoothed, mixture, initial, eta);
        smoothed = u.smoothed();
        mixture = u.p();
        return mixture.clone();
    }

    /** The new proportions and the smoothed A to keep (null without EMA). */
    record Update(float[] p, double[][] smoothed) {}

    /**
     * The end of LearnParams. {@code sum}: A accumulated over the sweeps (row i
     * = evaluation domain, column j = tilted domain); {@code present}: the
     * domains with training data (the others keep weight 0).
     */
    static Update update(double[][] sum, int[] present, int sweeps, double oneHot, boolean normalize, double ema,
                         double[][] smoothedBefore, float[] prev, float[] initial, double eta) {
        int k = prev.length, m = present.length;
        double[][] a = new double[k][k];
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) a[i][j] = sum[i][j] / sweeps;
        if (oneHot < 1 && m > 1) {
            double[][] w = new double[m][m];
            for (int x = 0; x < m; x++) for (int y = 0; y < m; y++) w[x][y] = x == y ? oneHot : (1 - oneHot) / (m - 1);
            for (int i = 0; i < k; i++) {
                double[] row = new double[m];
                for (int y = 0; y < m; y++) row[y] = a[i][present[y]];
                double[] x = solve(w, row);
                for (int y = 0; y < m; y++) a[i][present[y]] = x[y];
            }
        }
        if (normalize) {
            double min = Double.POSITIVE_INFINITY;
            for (double[] row : a) for (double v : row) min = Math.min(min, v);
            if (min < 0) {
                double total = 0;
                for (double[] row : a) for (int j = 0; j < k; j++) total += row[j] -= min;
                if (total > 0) for (double[] row : a) for (int j = 0; j < k; j++) row[j] /= total;
            }
        }
        double[][] used = a, kept = null;
        float[] base = prev;
        if (ema > 0) {
            kept = new double[k][k];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) kept[i][j] = smoothedBefore == null ? a[i][j] : (1 - ema) * a[i][j] + ema * smoothedBefore[i][j];
            }
            used = kept;
            base = initial;
        }
        double[] score = new double[k];
        for (int j = 0; j < k; j++) for (int i = 0; i < k; i++) score[j] += used[i][j];
        return new Update(exponentiate(base, score, eta), kept);
    }

    /** Solves W x = b by Gaussian elimination with partial pivoting (W is m x m, small). */
    static double[] solve(double[][] w, double[] b) {
        int m = b.length;
        double[][] t = new double[m][m + 1];
        for (int i = 0; i < m; i++) {
            System.arraycopy(w[i], 0, t[i], 0, m);
            t[i][m] = b[i];
        }
        for (int c = 0; c < m; c++) {
            int pivot = c;
            for (int r = c + 1; r < m; r++) if (Math.abs(t[r][c]) > Math.abs(t[pivot][c])) pivot = r;
            double[] swap = t[c];
            t[c] = t[pivot];
            t[pivot] = swap;
            if (t[c][c] == 0) throw new IllegalArgumentException("singular mixture matrix");
            for (int r = 0; r < m; r++) {
                if (r == c) continue;
                double f = t[r][c] / t[c][c];
                for (int x = c; x <= m; x++) t[r][x] -= f * t[c][x];
            }
        }
        double[] x = new double[m];
        for (int i = 0; i < m; i++) x[i] = t[i][m] / t[i][i];
        return x;
    }

    @Override
    protected void writeOwn(DataOutputStream out) throws IOException {
        out.writeInt(rounds);
        writeFloats(out, mixture);
        writeDoubles(out, before == null ? new double[0] : before);
        for (double[] row : a) writeDoubles(out, row);
        out.writeBoolean(smoothed != null);
        if (smoothed != null) for (double[] row : smoothed) writeDoubles(out, row);
    }

    @Override
    protected RestoredState readOwn(DataInputStream in) throws IOException {
        int restoredRounds = in.readInt();
        float[] restoredMixture = readFloats(in);
        double[] b = readDoubles(in);
        double[][] restoredA = new double[a.length][];
        for (int i = 0; i < a.length; i++) restoredA[i] = readDoubles(in);
        double[][] restoredSmoothed = null;
        if (in.readBoolean()) {
            restoredSmoothed = new double[a.length][];
            for (int i = 0; i < a.length; i++) restoredSmoothed[i] = readDoubles(in);
        }
        double[][] s = restoredSmoothed;
        return () -> {
            rounds = restoredRounds;
            mixture = restoredMixture;
            before = b.length == 0 ? null : b;
            System.arraycopy(restoredA, 0, a, 0, a.length);
            smoothed = s;
        };
    }
}
