package dev.rnb.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.balance.RnbBalancer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener against DJL itself: the per-domain final-layer gradients it
 * hands rnb, summed over domains, are DJL's own gradient of the final
 * Linear's weight for the same batch, on the cpu, emulated cuda and
 * reference backends. Ragged sizes: B examples of T positions, so
 * rows = B*T and every example spans T rows.
 */
class RnbTrainingListenerTest {
    private static final int K = 3, FEATURES = 4, HIDDEN = 5, VOCAB = 11, B = 7, T = 3, EXAMPLES = 50;
    private static Backend cpu;

    @BeforeAll
    static void openBackend() {
        cpu = Backends.open("cpu");
    }

    @AfterAll
    static void closeBackend() {
        cpu.close();
    }

    /** A model, its final Linear, a dataset with domains, a sampler and a listener over them. */
    private static final class Setup implements AutoCloseable {
        final Model model = Model.newInstance("listener-test");
        final Linear output = Linear.builder().setUnits(VOCAB).build();
        final int[] domainOf = new int[EXAMPLES];
        final RnbMixtureSampler sampler;
        final ArrayDataset data;
        final RnbTrainingListener listener;
        final Trainer trainer;
        final Iterator<Batch> batches;

        /**
         * @param options changes to the listener's options (exact gradients, rounds of 1000 batches)
         * @param block   the model, or null for Linear(HIDDEN), tanh, Linear(VOCAB)
         */
        Setup(long seed, Loss loss, UnaryOperator<RnbTrainingListener.Builder> options, SequentialBlock block)
                throws Exception {
            this(seed, loss, options, block, cpu);
        }

        Setup(long seed, Loss loss, UnaryOperator<RnbTrainingListener.Builder> options, SequentialBlock block,
              Backend backend) throws Exception {
            Engine.getInstance().setRandomSeed((int) seed);
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < EXAMPLES; i++) domainOf[i] = random.nextInt(K);
            sampler = new RnbMixtureSampler(domainOf, K, B, 100, seed);
            model.setBlock(block != null ? block
                    : new SequentialBlock().add(Linear.builder().setUnits(HIDDEN).build()).add(Activation::tanh).add(output));
            NDManager m = model.getNDManager();
            data = new ArrayDataset.Builder()
                    .setData(m.randomNormal(new Shape(EXAMPLES, T, FEATURES)))
                    .optLabels(m.randomInteger(0, VOCAB, new Shape(EXAMPLES, T, 1), DataType.INT32))
                    .setSampling(sampler).build();
            listener = options.apply(RnbTrainingListener.builder(sampler,
                    (h, v) -> RnbBalancer.builder(backend, K, h, v).build()).batchesPerRound(1000)).build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build())
                    .optDevices(new Device[] {Device.cpu()})
                    .addTrainingListeners(listener);
            try {
                trainer = model.newTrainer(config);        // the listener taps the model here
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
            trainer.initialize(new Shape(B, T, FEATURES));
            batches = trainer.iterateDataset(data).iterator();
        }

        /** Trains on the next batch (no optimizer step); returns its example indices. */
        List<?> trainBatch() {
            Batch batch = batches.next();
            EasyTrain.trainBatch(trainer, batch);
            return batch.getIndices();
        }

        float[] weightGradient() {
            return output.getParameters().get("weight").getArray().getGradient().toFloatArray();
        }

        @Override
        public void close() {
            trainer.close();
            model.close();
        }
    }

    private static Setup setup(long seed) throws Exception {
        return new Setup(seed, Loss.softmaxCrossEntropyLoss(), o -> o, null);
    }

    /** Sum over domains of the k x (v*h) gradients the balancer holds. */
    private static float[] domainSum(RnbTrainingListener listener) {
        float[] g = listener.balancer().domainGradients().toHost();
        int d = VOCAB * HIDDEN;
        float[] sum = new float[d];
        for (int k = 0; k < K; k++) {
            for (int i = 0; i < d; i++) sum[i] += g[k * d + i];
        }
        return sum;
    }

    private static void assertClose(float[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length);
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.length; i++) {
            diff += (expected[i] - actual[i]) * (double) (expected[i] - actual[i]);
            norm += expected[i] * (double) expected[i];
        }
        assertTrue(norm > 0, "the reference gradient is zero");
        assertTrue(Math.sqrt(diff / norm) < tolerance, "relative error " + Math.sqrt(diff / norm));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda-emulated", "reference"})
    void domainGradientsSumToDjlsWeightGradientOverSeveralBatches(String backendName) throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            try (Backend backend = Backends.open(backendName);
                 Setup s = new Setup(seed, Loss.softmaxCrossEntropyLoss(), o -> o, null, backend)) {
                long[] rowsPerDomain = new long[K];
                float[] djl = new float[VOCAB * HIDDEN];
                for (int step = 0; step < 3; step++) {
                    for (Object index : s.trainBatch()) rowsPerDomain[s.domainOf[((Number) index).intValue()]] += T;
                    float[] g = s.weightGradient();
                    for (int i = 0; i < g.length; i++) djl[i] += g[i];
                    assertClose(djl, domainSum(s.listener), 1e-5);
                    s.trainer.step();                  // the optimizer zeroes DJL's gradient; rnb's accumulate on
                }
                assertArrayEquals(rowsPerDomain, s.listener.balancer().domainGradients().counts());
            }
        }
    }

    @Test
    void aBatchFromOneDomainLandsInThatDomainOnly() throws Exception {
        try (Setup s = setup(4)) {
            s.sampler.setProportions(new float[] {0f, 1f, 0f});
            s.trainBatch();
            float[] g = s.listener.balancer().domainGradients().toHost();
            int d = VOCAB * HIDDEN;
            float[] domain1 = java.util.Arrays.copyOfRange(g, d, 2 * d);
            assertClose(s.weightGradient(), domain1, 1e-5);
            for (int i = 0; i < d; i++) {
                assertEquals(0f, g[i]);
                assertEquals(0f, g[2 * d + i]);
            }
            assertArrayEquals(new long[] {0, (long) B * T, 0}, s.listener.balancer().domainGradients().counts());
        }
    }

    @Test
    void computedSoftmaxCrossEntropyGradientMatchesDjlsForAWeightedLoss() throws Exception {
        float weight = 0.37f;
        Loss loss = new SoftmaxCrossEntropyLoss("weighted", weight, -1, true, true);
        try (Setup s = new Setup(5, loss, o -> o.computeSoftmaxCrossEntropyGradient(weight), null)) {
            for (int step = 0; step < 2; step++) {
                s.trainBatch();
                assertClose(s.weightGradient(), domainSum(s.listener), 1e-5);
                s.listener.balancer().domainGradients().reset();
                s.trainer.step();
            }
        }
    }

    @Test
    void computingTheGradientNeedsDjlsSoftmaxCrossEntropyLoss() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Setup(5, Loss.l2Loss(), o -> o.computeSoftmaxCrossEntropyGradient(1f), null));
        assertTrue(e.getMessage().contains("SoftmaxCrossEntropyLoss"), e.getMessage());
    }

    @Test
    void everyRoundSetsTheSamplersProportionsToTheBalancers() throws Exception {
        try (Setup s = new Setup(6, Loss.softmaxCrossEntropyLoss(), o -> o.batchesPerRound(2), null)) {
            float[] uniform = s.sampler.proportions();
            for (int step = 1; step <= 5; step++) {
                s.trainBatch();
                s.trainer.step();
                assertEquals(step / 2, s.listener.rounds().size());
            }
            float[] p = s.listener.rounds().get(1).proportions();
            assertArrayEquals(p, s.sampler.proportions());
            assertArrayEquals(p, s.listener.balancer().proportions());
            assertFalse(java.util.Arrays.equals(uniform, p), "R&B left the uniform proportions unchanged");
            assertTrue(s.listener.overheadNanos() > 0);
        }
    }

    @Test
    void theFinalLinearIsBackAfterTrainingAndSavesTheSameParameters() throws Exception {
        Setup s = setup(7);
        try {
            Block block = s.model.getBlock();
            s.trainBatch();
            byte[] tapped = parameters(block);
            s.trainer.close();                         // training ends: the listener restores the model
            SequentialBlock seq = (SequentialBlock) block;
            assertSame(s.output, seq.getChildren().valueAt(seq.getChildren().size() - 1));
            assertArrayEquals(tapped, parameters(block));
        } finally {
            s.model.close();
        }
    }

    private static byte[] parameters(Block block) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        block.saveParameters(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    @Test
    void aFinalLayerThatIsNotAPlainLinearIsAClearError() throws Exception {
        SequentialBlock softmaxLast = new SequentialBlock().add(Linear.builder().setUnits(HIDDEN).build())
                .add(Linear.builder().setUnits(VOCAB).build()).add(a -> new NDList(a.singletonOrThrow().softmax(-1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Setup(8, Loss.softmaxCrossEntropyLoss(), o -> o, softmaxLast));
        assertTrue(e.getMessage().contains("ai.djl.nn.core.Linear"), e.getMessage());
        assertTrue(e.getMessage().contains("ai.djl.nn.LambdaBlock"), e.getMessage());
        assertTrue(e.getMessage().contains("03LambdaBlock"), e.getMessage());
    }
}
