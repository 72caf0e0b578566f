package dev.rnb.train;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;
import dev.rnb.data.Batch;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.DomainGroups;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.MixtureSampler;
import dev.rnb.data.StoredProportions;
import dev.rnb.data.TrainingExample;
import dev.rnb.model.Gpt;
import dev.rnb.model.GptConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The training loop of the byte-level GPT: sample a batch with the current
 * domain proportions, forward, backward, hand the head's H and E to an
 * optional hook (R&amp;B's per-domain gradients), AdamW with the scheduled
 * learning rate and clipping. One float (the loss) crosses from the backend
 * per step. Deterministic on the cpu and reference backends: the same seed
 * and options give bit-identical parameters, also across a checkpoint.
 *
 * <p>Not thread-safe.
 */
public final class Trainer implements AutoCloseable {
    /** Called after every backward pass, before the optimiser step. */
    @FunctionalInterface
    public interface AfterBackward {
        void accept(Gpt model, Batch batch);
    }

    /**
     * Builds the output head's weight gradient of a batch in place of the
     * model's GEMM (R&amp;B's fused per-domain split, see {@link Gpt.HeadGradient}).
     */
    @FunctionalInterface
    public interface HeadGradientSplit {
        void accumulate(Batch batch, Tensor h, Tensor e, int rows, Tensor dW);
    }

    private final Gpt model;
    private final TrainOptions options;
    private final MixtureSampler sampler;
    /** The last batch {@link #trainStep()} drew, whose arrays the next one is drawn into. */
    private Batch lastBatch;
    private int step;
    private AfterBackward hook;
    private HeadGradientSplit split;

    public Trainer(Backend backend, GptConfig config, TrainOptions options, ByteDataset train) {
        this.options = options;
        this.model = new Gpt(backend, config, options.batch());
        this.sampler = new MixtureSampler(train, options.batch(), config.context(), options.seed());
        model.initialize(options.seed());
    }

    public Gpt model() { return model; }

    public MixtureSampler sampler() { return sampler; }

    public TrainOptions options() { return options; }

    /** Steps taken so far. */
    public int step() { return step; }

    public void setAfterBackward(AfterBackward hook) { this.hook = hook; }

    /** Training steps build the head's weight gradient with {@code split} (null: the model's own GEMM). */
    public void setHeadGradientSplit(HeadGradientSplit split) { this.split = split; }

    /** The split set by {@link #setHeadGradientSplit} (null: the model's own GEMM), e.g. to time it. */
    public HeadGradientSplit headGradientSplit() { return split; }

    /** Sets the training domain proportions from the next batch on. */
    public void setProportions(float[] p) { sampler.setProportions(p); }

    /** The same, in either form (a sparse one stays sparse: {@link MixtureSampler}). */
    public void setProportions(DomainProportions p) { sampler.setProportions(p); }

    /**
     * One optimiser step on the next batch of this trainer's sampler; returns
     * the batch's mean loss per predicted byte. The batch is drawn into the
     * previous step's arrays (the model has copied them by then: nothing
     * keeps them), so a step allocates no batch.
     */
    public float trainStep() {
        lastBatch = sampler.next(lastBatch);
        return trainStep(lastBatch);
    }

    /**
     * One optimiser step on {@code batch} (a batch of this trainer's size; its
     * loss weights define the objective, e.g. DoReMi's per-domain weights).
     */
    public float trainStep(Batch batch) {
        model.setBatch(batch.tokens(), batch.targets(), batch.weights(), batch.T());
        model.forward(true);
        model.backward(split == null ? null : (h, e, rows, dW) -> split.accumulate(batch, h, e, rows, dW));
        if (hook != null) {
            hook.accept(model, batch);
        }
        step++;
        model.adamwStep(options.learningRate(step), options.beta1(), options.beta2(), options.eps(),
                options.weightDecay(), options.gradClip(), step);
        return model.loss();
    }

    /**
     * The full-model gradient of the mean loss on {@code batch} (a batch of
     * this trainer's size), downloaded in the parameter layout, without an
     * optimiser step: the parameters, moments and step are untouched. For
     * mixing methods that compare gradients (DGA); the hook is not called.
     */
    public float[] gradientOn(Batch batch) {
        model.setBatch(batch.tokens(), batch.targets(), batch.weights(), batch.T());
        model.forward(true);
        model.backward();
        float[] g = new float[Math.toIntExact(model.layout().size())];
        model.backend().download(model.gradients(), 0, g, 0, g.length);
        return g;
    }

    /**
     * One AdamW step on {@code batch} at the current step's learning rate,
     * without advancing the step counter or calling the hook: a probe step,
     * meant to be undone with {@link #restoreSnapshot} (Aioli's brief
     * per-domain training). Returns the batch's loss before the step.
     */
    public float probeStep(Batch batch) {
        model.setBatch(batch.tokens(), batch.targets(), batch.weights(), batch.T());
        model.forward(true);
        model.backward();
        int at = Math.max(1, step);
        model.adamwStep(options.learningRate(at), options.beta1(), options.beta2(), options.eps(),
                options.weightDecay(), options.gradClip(), at);
        return model.loss();
    }

    /** Loss of every position (batch-major, 0 where masked) of the last forward pass, downloaded. */
    public float[] tokenLosses() {
        float[] l = new float[options.batch() * model.config().context()];
        model.backend().download(model.losses(), 0, l, 0, l.length);
        return l;
    }

    /** Forward pass only on {@code batch}; the per-position losses (0 where masked). Parameters untouched. */
    public float[] tokenLosses(Batch batch) {
        model.setBatch(batch.tokens(), batch.targets(), batch.weights(), batch.T());
        model.forward(false);
        return tokenLosses();
    }

    /** Parameters then AdamW moments, on the host: what {@link #restoreSnapshot} puts back. */
    public float[] snapshot() {
        int P = Math.toIntExact(model.layout().size());
        float[] s = new float[3 * P];
        model.backend().download(model.parameters(), 0, s, 0, P);
        model.backend().download(model.moments(), 0, s, P, 2 * P);
        return s;
    }

    /** Puts back parameters and moments taken by {@link #snapshot}. */
    public void restoreSnapshot(float[] s) {
        int P = Math.toIntExact(model.layout().size());
        if (s.length != 3 * P) {
            throw new IllegalArgumentException("snapshot holds " + s.length + " floats, the model needs " + 3 * P);
        }
        model.backend().upload(s, 0, model.parameters(), 0, P);
        model.backend().upload(s, P, model.moments(), 0, 2 * P);
    }

    /**
     * Mean loss per predicted byte over every byte of every example of
     * {@code eval}, cut into windows of the model's context; overall and per domain.
     */
    public Evaluation evaluate(ByteDataset eval) {
        int B = options.batch(), T = model.config().context(), n = B * T;
        int k = eval.domains();
        double[] sum = new double[k];
        long[] count = new long[k];
        float[] tokens = new float[n], targets = new float[n], weights = new float[n], losses = new float[n];
        int[] domainOfRow = new int[n];
        int row = 0;
        for (TrainingExample ex : eval.examples()) {
            byte[] bytes = ex.bytes();
            for (int start = 0; start + 1 < bytes.length; start += T) {
                int base = row * T;
                for (int t = 0; t < T; t++) {
                    int at = start + t;
                    boolean valid = at + 1 < bytes.length;
                    tokens[base + t] = valid ? bytes[at] & 0xFF : 0;
                    targets[base + t] = valid ? bytes[at + 1] & 0xFF : 0;
                    weights[base + t] = valid ? 1f : 0f;
                    domainOfRow[base + t] = ex.domain();
                }
                if (++row == B) {
                    evalBatch(tokens, targets, weights, domainOfRow, losses, sum, count, T);
                    row = 0;
                }
            }
        }
        if (row > 0) {
            Arrays.fill(weights, row * T, n, 0f);
            evalBatch(tokens, targets, weights, domainOfRow, losses, sum, count, T);
        }
        double total = 0;
        long targetsTotal = 0;
        double[] domainLoss = new double[k];
        for (int d = 0; d < k; d++) {
            total += sum[d];
            targetsTotal += count[d];
            domainLoss[d] = count[d] == 0 ? Double.NaN : sum[d] / count[d];
        }
        return new Evaluation(targetsTotal == 0 ? Double.NaN : total / targetsTotal, domainLoss, count);
    }

    private void evalBatch(float[] tokens, float[] targets, float[] weights, int[] domainOfRow, float[] losses,
                           double[] sum, long[] count, int T) {
        model.setBatch(tokens, targets, weights, T);
        model.forward(false);
        model.backend().download(model.losses(), 0, losses, 0, losses.length);
        for (int i = 0; i < losses.length; i++) {
            if (weights[i] != 0f) {
                sum[domainOfRow[i]] += losses[i];
                count[domainOfRow[i]]++;
            }
        }
    }

    /**
     * Writes a checkpoint (atomically) with {@code extra} as the mixing method's
     * state. The sampler's proportions are stored in their own form, a dense
     * form in which most domains share a value as sparse ({@link DomainProportions#compact}:
     * the sampler draws both alike), so that R&amp;B's p' at many domains takes
     * O(t) bytes, not k floats.
     */
    public void save(Path file, byte[] extra) throws IOException {
        long P = model.layout().size();
        float[] params = new float[Math.toIntExact(P)], moments = new float[Math.toIntExact(2 * P)];
        Backend b = model.backend();
        b.download(model.parameters(), 0, params, 0, params.length);
        b.download(model.moments(), 0, moments, 0, moments.length);
        new Checkpoint(model.config(), options.batch(), step, sampler.rngState(), StoredProportions.of(sampler.mixture().compact()),
                params, moments, extra.clone()).write(file);
    }

    /**
     * Restores a checkpoint read from {@code file} and written by {@link #save}
     * for the same model shape and batch size; returns its extra section.
     * Grouped proportions are bound to {@code groups}, the run's (R&amp;B over
     * groups: its strategy's, after its state was restored), which must be the
     * partition they were written with. Another shape, batch, array sizes
     * that do not match the model, or proportions that do not fit the data or
     * the groups are a {@link CheckpointException} naming the file, and then
     * nothing has been restored.
     */
    public byte[] restore(Checkpoint c, Path file, DomainGroups groups) throws CheckpointException {
        c.checkCompatible(file, model.config(), options.batch());
        long P = model.layout().size();
        int k = sampler.mixture().domains();
        if (c.parameters().length != P || c.moments().length != 2 * P || c.proportions().domains() != k) {
            throw new CheckpointException("checkpoint " + file + " holds " + c.parameters().length + " parameters, " + c.moments().length
                    + " moments and proportions over " + c.proportions().domains() + " domains; the model has " + P + ", " + 2 * P
                    + " and the data " + k + " domains");
        }
        if (c.step() < 0) {
            throw new CheckpointException("checkpoint " + file + " step " + c.step() + " is negative");
        }
        DomainProportions before = sampler.mixture();
        try {
            sampler.setProportions(c.proportions().bind(groups));
        } catch (IllegalArgumentException e) {
            sampler.setProportions(before);
            throw new CheckpointException("checkpoint " + file + " proportions are unusable: " + e.getMessage());
        }
        Backend b = model.backend();
        b.upload(c.parameters(), 0, model.parameters(), 0, c.parameters().length);
        b.upload(c.moments(), 0, model.moments(), 0, c.moments().length);
        sampler.setRngState(c.samplerState());
        step = c.step();
        return c.extra().clone();
    }

    @Override
    public void close() {
        model.close();
    }
}
