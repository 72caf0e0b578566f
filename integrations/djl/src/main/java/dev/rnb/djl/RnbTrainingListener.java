package dev.rnb.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import dev.rnb.balance.RnbBalancer;
import dev.rnb.balance.RoundResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * R&amp;B's Balance stage inside DJL's training loop. When training begins it
 * taps the model's final {@link ai.djl.nn.core.Linear} (the last block of a
 * SequentialBlock; anything else is an error saying so). After every
 * training batch (DJL calls {@code onTrainingBatch} after the backward pass
 * and before the optimizer step) it hands the balancer the Linear's input H
 * (rows x hidden), the gradient of the loss with respect to the logits E
 * (rows x vocab, as the loss scales it) and every row's domain, read from the
 * batch's indices through the {@link RnbMixtureSampler}. Every
 * {@code batchesPerRound} batches it ends the round and gives the sampler
 * the new proportions. When training ends (Trainer.close) it puts the Linear
 * back and closes the balancer.
 *
 * <p>Rows: all axes of H and Z but the last, batch axis first; a batch of B
 * examples with T positions each is B*T rows, row b*T+t from example b.
 * E is DJL's own gradient (see {@link FinalLayerTap}), or with
 * {@link Builder#computeSoftmaxCrossEntropyGradient(float)} computed
 * exactly for DJL's softmax cross-entropy.
 *
 * <p>Cost: H and E are copied once per batch from DJL into the Java heap
 * (4 rows (hidden + vocab) bytes) and from there once into the rnb
 * backend's memory; {@link #overheadNanos()} measures all of it.
 * One training device; the listener runs on the training thread.
 */
public final class RnbTrainingListener extends TrainingListenerAdapter {

    /** Builds the balancer once the final layer's widths are known (at the first batch). */
    @FunctionalInterface
    public interface BalancerFactory {
        RnbBalancer create(int hidden, int vocab);
    }

    private final RnbMixtureSampler sampler;
    private final BalancerFactory factory;
    private final int batchesPerRound;
    private final float lossWeight;
    private final boolean computeGradient;
    private final List<RoundResult> rounds = new ArrayList<>();
    private FinalLayerTap tap;
    private RnbBalancer balancer;
    private int batchesInRound;
    private long listenerNanos;
    private boolean ended;

    private RnbTrainingListener(Builder b) {
        this.sampler = b.sampler;
        this.factory = b.factory;
        this.batchesPerRound = b.batchesPerRound;
        this.lossWeight = b.lossWeight;
        this.computeGradient = b.computeGradient;
    }

    /**
     * @param sampler the sampler the training dataset draws with; its
     *                proportions are set at the end of every round
     * @param factory builds the balancer, e.g.
     *                {@code (h, v) -> RnbBalancer.builder(backend, k, h, v).evalProportions(p).build()}
     */
    public static Builder builder(RnbMixtureSampler sampler, BalancerFactory factory) {
        return new Builder(sampler, factory);
    }

    @Override
    public void onTrainingBegin(Trainer trainer) {
        if (trainer.getDevices().length != 1) {
            throw new IllegalArgumentException("rnb's DJL listener supports one training device, the trainer has "
                    + trainer.getDevices().length);
        }
        if (computeGradient && trainer.getLoss().getClass() != SoftmaxCrossEntropyLoss.class) {
            throw new IllegalArgumentException("computeSoftmaxCrossEntropyGradient needs the trainer's loss to be "
                    + SoftmaxCrossEntropyLoss.class.getName() + ", it is " + trainer.getLoss().getClass().getName());
        }
        tap = FinalLayerTap.install(trainer.getModel().getBlock(), !computeGradient);
    }

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        long start = System.nanoTime();
        FinalLayerTap.Capture capture = tap.take();
        NDArray h = capture.input();
        NDArray z = capture.logits();
        int hidden = Math.toIntExact(h.getShape().tail());
        int vocab = Math.toIntExact(z.getShape().tail());
        int rows = Math.toIntExact(z.size() / vocab);
        int[] domainOfRow = domainsOfRows(batchData, rows);
        NDArray e = computeGradient
                ? SoftmaxCrossEntropyGradient.of(z, batchData.getLabels().get(z.getDevice()).singletonOrThrow(), lossWeight)
                : capture.logitsLeaf().getGradient();
        float[] hHost = h.toType(DataType.FLOAT32, false).toFloatArray();
        float[] eHost = e.toType(DataType.FLOAT32, false).toFloatArray();
        if (balancer == null) {
            RnbBalancer created = factory.create(hidden, vocab);
            if (created.proportions().length != sampler.domains()) {
                created.close();
                throw new IllegalArgumentException("the balancer has " + created.proportions().length
                        + " domains but the sampler " + sampler.domains());
            }
            balancer = created;
        }
        balancer.accumulate(hHost, eHost, domainOfRow, rows);
        if (++batchesInRound == batchesPerRound) {
            RoundResult round = balancer.endRound();
            sampler.setProportions(round.proportions());
            rounds.add(round);
            batchesInRound = 0;
        }
        listenerNanos += System.nanoTime() - start;
    }

    /** The domain of every row: rows / B consecutive rows per example of the batch. */
    private int[] domainsOfRows(BatchData batchData, int rows) {
        List<?> indices = batchData.getBatch().getIndices();
        if (indices == null || indices.isEmpty()) {
            throw new IllegalStateException("the batch carries no example indices; draw it from a RandomAccessDataset "
                    + "with RnbMixtureSampler so that rows map to domains");
        }
        int examples = indices.size();
        if (rows % examples != 0) {
            throw new IllegalStateException("the final layer saw " + rows + " rows for " + examples
                    + " examples; rows must be examples x positions, batch axis first");
        }
        int perExample = rows / examples;
        int[] domainOfRow = new int[rows];
        for (int b = 0; b < examples; b++) {
            int d = sampler.domainOf(((Number) indices.get(b)).longValue());
            Arrays.fill(domainOfRow, b * perExample, (b + 1) * perExample, d);
        }
        return domainOfRow;
    }

    @Override
    public void onTrainingEnd(Trainer trainer) {
        if (ended) {
            return;
        }
        ended = true;
        if (tap != null) {
            tap.uninstall();
        }
        if (balancer != null) {
            balancer.close();
        }
    }

    /** The rounds ended so far, in order. */
    public List<RoundResult> rounds() {
        return List.copyOf(rounds);
    }

    /**
     * The balancer (null before the first batch, closed after training ends):
     * for inspecting the current round, e.g. {@code domainGradients()}.
     */
    public RnbBalancer balancer() {
        return balancer;
    }

    /**
     * Time R&amp;B added to training: the listener's work after each batch
     * (copies, accumulation, round ends) plus the tap's extra work in the
     * forward pass. The backward pass through the tap's addition is not
     * included (one elementwise pass over the logits).
     */
    public long overheadNanos() {
        return listenerNanos + (tap == null ? 0 : tap.extraNanos());
    }

    /** Options; default: DJL's own logit gradient, 20 batches per round. */
    public static final class Builder {
        private final RnbMixtureSampler sampler;
        private final BalancerFactory factory;
        private int batchesPerRound = 20;
        private float lossWeight = 1f;
        private boolean computeGradient;

        private Builder(RnbMixtureSampler sampler, BalancerFactory factory) {
            this.sampler = sampler;
            this.factory = factory;
        }

        /** Training batches per R&amp;B round (the proportions change after each round). */
        public Builder batchesPerRound(int batches) {
            if (batches < 1) {
                throw new IllegalArgumentException("batches per round must be >= 1, got " + batches);
            }
            this.batchesPerRound = batches;
            return this;
        }

        /**
         * Computes E = weight (softmax(Z) - onehot(Y)) / rows instead of
         * reading DJL's gradient: for an engine that does not keep gradients
         * of arrays created in the forward pass. The trainer's loss must be
         * a default-configured SoftmaxCrossEntropyLoss with this weight.
         */
        public Builder computeSoftmaxCrossEntropyGradient(float weight) {
            this.computeGradient = true;
            this.lossWeight = weight;
            return this;
        }

        public RnbTrainingListener build() {
            return new RnbTrainingListener(this);
        }
    }
}
