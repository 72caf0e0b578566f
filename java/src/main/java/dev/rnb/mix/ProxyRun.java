package dev.rnb.mix;

import dev.rnb.model.GptConfig;
import dev.rnb.model.ParameterLayout;
import dev.rnb.train.TrainOptions;
import dev.rnb.train.Trainer;

/**
 * The small proxy (and reference) models of DoReMi and DoGE, which learn
 * domain weights before the main run: one block, half the main model's width
 * (a multiple of its heads), the same context and batch, trained for half the
 * main run's steps with the default schedule. Their whole cost is overhead of
 * the method, counted as 6 N_proxy per token per step (2 N_proxy per token for
 * a forward pass).
 */
final class ProxyRun {
    final GptConfig config;
    final TrainOptions options;
    final double parameters;
    final double batchTokens;

    ProxyRun(MixingContext ctx, long seedSalt) {
        GptConfig main = ctx.config();
        int width = Math.max(main.heads(), main.channels() / 2 / main.heads() * main.heads());
        this.config = new GptConfig(main.context(), 1, main.heads(), width);
        this.options = TrainOptions.defaults(Math.max(1, ctx.options().steps() / 2), ctx.options().batch(), ctx.mix().seed() ^ seedSalt);
        this.parameters = new ParameterLayout(config).size();
        this.batchTokens = (double) options.batch() * config.context();
    }

    int steps() { return options.steps(); }

    Trainer trainer(MixingContext ctx, long salt) {
        return new Trainer(ctx.backend(), config, new TrainOptions(options.steps(), options.batch(), options.lr(), options.warmupSteps(),
                options.minLrFraction(), options.weightDecay(), options.beta1(), options.beta2(), options.eps(), options.gradClip(),
                options.seed() ^ salt), ctx.train());
    }

    /** Flops of one training step (forward + backward) of the proxy. */
    double stepFlops() { return 6 * parameters * batchTokens; }

    /** Flops of one forward pass of the proxy on a batch. */
    double forwardFlops() { return 2 * parameters * batchTokens; }
}
