package dev.rnb.gpu;

import dev.rnb.cli.Main;

/**
 * The entry point of the GPU bundle's rnb.jar (scripts/gpu-bundle): the rnb
 * commands plus {@code rnb gpu-bench}, whose harness stays out of the main
 * jar. Run elsewhere as
 * {@code java -cp benchmarks/target/benchmarks.jar dev.rnb.gpu.GpuBundleMain gpu-bench ...}.
 */
public final class GpuBundleMain {
    private GpuBundleMain() {}

    public static void main(String[] args) {
        System.exit(Main.execute(Main.commandLine().addSubcommand(new GpuBenchCommand()), args));
    }
}
