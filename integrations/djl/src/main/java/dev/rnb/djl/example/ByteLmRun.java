package dev.rnb.djl.example;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.balance.RnbBalancer;
import dev.rnb.djl.RnbMixtureSampler;
import dev.rnb.djl.RnbTrainingListener;

import java.io.IOException;

/** One training run of the example: a fresh model from the seed, one mixing method, the final evaluation. */
final class ByteLmRun {
    private ByteLmRun() {}

    /** What every run shares. */
    record Shape(int steps, int batch, int positions, int context, int embedding, int hidden, float lr, int round,
                 float lambda, String backend, long seed) {
        Shape {
            if (steps < 1 || batch < 1 || positions < 1 || context < 1 || embedding < 1 || hidden < 1 || round < 1) {
                throw new IllegalArgumentException("--steps, --batch, --positions, --context, --embedding, --hidden and "
                        + "--round must be >= 1");
            }
            if (!(lr > 0) || !Float.isFinite(lr)) {
                throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
            }
        }
    }

    /**
     * @param evalLoss         mean cross-entropy per evaluation byte (nats)
     * @param evalLossByDomain the same per domain (NaN for a domain without evaluation windows)
     * @param trainNanos       wall time of the training loop
     * @param overheadNanos    R&amp;B's part of it (0 for Stratified)
     */
    record Result(String method, double evalLoss, double[] evalLossByDomain, long trainNanos, long overheadNanos,
                  int rounds, float[] finalProportions, String backend) {}

    static Result train(String method, ByteWindows train, ByteWindows eval, Shape s) {
        boolean rnb = method.equals("rnb");
        Engine.getInstance().setRandomSeed((int) s.seed());
        try (Model model = Model.newInstance("byte-mlp");
             Backend backend = rnb ? Backends.fromOption(s.backend()) : null) {
            model.setBlock(ByteMlp.build(s.context(), s.embedding(), s.hidden()));
            NDManager manager = model.getNDManager();
            RnbMixtureSampler sampler = new RnbMixtureSampler(train.domainOfWindow(), train.domains(), s.batch(),
                    s.steps(), s.seed());
            ArrayDataset data = new ArrayDataset.Builder()
                    .setData(train.inputArray(manager))
                    .optLabels(train.labelArray(manager))
                    .setSampling(sampler)
                    .build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(s.lr())).build())
                    .optDevices(new Device[] {Device.cpu()});
            RnbTrainingListener listener = null;
            if (rnb) {
                float[] p = eval.proportions();
                listener = RnbTrainingListener.builder(sampler, (hidden, vocab) ->
                                RnbBalancer.builder(backend, train.domains(), hidden, vocab)
                                        .evalProportions(p)
                                        .lambda(s.lambda())
                                        .build())
                        .batchesPerRound(s.round())
                        .build();
                config.addTrainingListeners(listener);
            }
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new ai.djl.ndarray.types.Shape(s.batch(), s.positions(), s.context()));
                long start = System.nanoTime();
                EasyTrain.fit(trainer, 1, data, null);
                long trainNanos = System.nanoTime() - start;
                double[] byDomain = new double[eval.domains()];
                double loss = evaluate(trainer, eval, manager, s.batch(), byDomain);
                return new Result(method, loss, byDomain, trainNanos, rnb ? listener.overheadNanos() : 0,
                        rnb ? listener.rounds().size() : 0, sampler.proportions(), rnb ? backend.name() : "");
            }
        } catch (IOException | TranslateException e) {
            throw new IllegalStateException("training failed: " + e.getMessage(), e);
        }
    }

    /** Mean loss per evaluation byte; {@code byDomain} receives the mean of each domain. */
    private static double evaluate(Trainer trainer, ByteWindows eval, NDManager manager, int batch, double[] byDomain) {
        double[] sum = new double[eval.domains()];
        int[] windows = new int[eval.domains()];
        try (NDManager scope = manager.newSubManager()) {
            NDArray inputs = eval.inputArray(scope);
            NDArray labels = eval.labelArray(scope);
            for (int from = 0; from < eval.windows(); from += batch) {
                int to = Math.min(eval.windows(), from + batch);
                try (NDManager step = scope.newSubManager()) {
                    NDIndex range = new NDIndex().addSliceDim(from, to);
                    NDArray logits = trainer.evaluate(new NDList(inputs.get(step, range))).singletonOrThrow();
                    NDArray y = labels.get(step, range).squeeze(-1).oneHot(ByteMlp.VOCAB);
                    float[] perWindow = logits.logSoftmax(-1).mul(y).sum(new int[] {-1}).mean(new int[] {-1}).neg()
                            .toFloatArray();
                    for (int w = 0; w < perWindow.length; w++) {
                        int d = eval.domainOfWindow()[from + w];
                        sum[d] += perWindow[w];
                        windows[d]++;
                    }
                }
            }
        }
        double total = 0;
        for (int d = 0; d < sum.length; d++) {
            total += sum[d];
            byDomain[d] = windows[d] == 0 ? Double.NaN : sum[d] / windows[d];
        }
        return total / eval.windows();
    }
}
