package dev.rnb.cli;

import dev.rnb.model.GptConfig;
import picocli.CommandLine.Option;

/** The model's shape and the batch, the same options with the same defaults for rnb train, experiment and demo. */
final class ModelShapeOptions {
    @Option(names = "--batch", defaultValue = "16", description = "Sequences per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--context", defaultValue = "64", description = "Context length in bytes (default: ${DEFAULT-VALUE})")
    int context;

    @Option(names = "--layers", defaultValue = "2", description = "Transformer blocks (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE})")
    int heads;

    @Option(names = "--width", defaultValue = "64", description = "Channels (default: ${DEFAULT-VALUE})")
    int width;

    GptConfig config() { return new GptConfig(context, layers, heads, width); }
}
