package dev.rnb.gpu;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.cuda.CudaBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code rnb gpu-bench}: the kernel part of the GPU check (scripts/gpu-check,
 * docs/GPU.md). Not in rnb.jar: the GPU bundle's rnb.jar adds it
 * ({@link GpuBundleMain}).
 */
@Command(name = "gpu-bench", mixinStandardHelpOptions = true,
        description = "Benchmark the cuda kernels against cuBLAS and the bandwidth floor; print a table and write JSON.")
public final class GpuBenchCommand implements Callable<Integer> {

    @Option(names = "--backend", defaultValue = "cuda", description = "cuda or cuda-emulated (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--scale", defaultValue = "full", description = "full (GPU sizes) or tiny (emulated dry run) (default: ${DEFAULT-VALUE})")
    String scale;

    @Option(names = "--budget-s", defaultValue = "240", description = "Stop starting benchmarks after this many seconds (default: ${DEFAULT-VALUE})")
    double budgetSeconds;

    @Option(names = "--out", required = true, description = "Directory for gpu-bench.json")
    Path out;

    @Override
    public Integer call() throws IOException {
        GpuBenchmarks.Scale sizes = switch (scale) {
            case "full" -> GpuBenchmarks.Scale.full();
            case "tiny" -> GpuBenchmarks.Scale.tiny();
            default -> throw new IllegalArgumentException("--scale must be full or tiny, got '" + scale + "'");
        };
        try (Backend b = Backends.open(backend)) {
            if (!(b instanceof CudaBackend cuda)) {
                throw new IllegalArgumentException("--backend must be cuda or cuda-emulated, got '" + backend + "'");
            }
            System.out.println("# " + cuda.describe());
            System.out.println(Measurement.header());
            GpuBenchmarks bench = new GpuBenchmarks(cuda, sizes, budgetSeconds, m -> System.out.println(m.toRow()));
            bench.runAll();
            for (String s : bench.skipped()) {
                System.out.println("skipped: " + s);
            }
            String json = "{\"device\":\"" + cuda.describe().replace("\"", "'") + "\",\"results\":[\n"
                    + bench.results().stream().map(Measurement::toJson).collect(Collectors.joining(",\n"))
                    + "\n],\"skipped\":[" + bench.skipped().stream().map(s -> "\"" + s.replace("\"", "'") + "\"")
                    .collect(Collectors.joining(",")) + "]}\n";
            Files.createDirectories(out);
            Path tmp = Files.createTempFile(out, "gpu-bench", ".json.tmp");
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            Files.move(tmp, out.resolve("gpu-bench.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            System.out.println("wrote " + out.resolve("gpu-bench.json"));
        }
        return 0;
    }
}
