package dev.rnb.cli;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * --embedder-device: auto falls back to the CPU provider and says why, cpu
 * is the CPU, cuda where it does not load is one line and exit 6 before any
 * work. The "no CUDA provider" cases need the default (CPU-only) ONNX
 * Runtime jar; built with -Ponnxruntime-gpu they are skipped.
 */
class EmbedderDeviceTest {
    @TempDir
    Path dir;
    private Path train;

    @BeforeEach
    void corpus() throws IOException {
        StringBuilder sb = new StringBuilder();
        String[] topics = {"the striker scored a late goal in the match", "knead the dough and bake the bread in the oven"};
        for (int i = 0; i < 24; i++) {
            sb.append("{\"text\":\"").append(topics[i % 2]).append(' ').append(i).append("\",\"domain\":\"t").append(i % 2).append("\"}\n");
        }
        train = dir.resolve("train.jsonl");
        Files.writeString(train, sb.toString());
    }

    private static boolean cudaInThisBuild() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    private CliRun.Result regroup(Path out, String device) {
        return CliRun.capture("regroup", "--train", train.toString(), "--out", out.toString(), "--k", "2", "--backend", "cpu",
                "--embedding-cache", "none", "--embedder-device", device);
    }

    private static String summaryEmbedding(Path out) throws IOException {
        return new ObjectMapper().readTree(out.resolve("summary.json").toFile()).path("embedding").asText();
    }

    @Test
    void autoFallsBackToTheCpuAndSaysWhy() throws IOException {
        assumeFalse(cudaInThisBuild(), "this ONNX Runtime build has the CUDA provider");
        Path out = dir.resolve("auto");
        CliRun.Result r = regroup(out, "auto");
        assertEquals(0, r.code(), r.stdout() + r.stderr());
        String line = r.stdout().lines().filter(l -> l.startsWith("embedder: ")).findFirst().orElseThrow();
        assertTrue(line.contains("ONNX Runtime CPU provider (this ONNX Runtime build has no CUDA provider"), line);
        assertTrue(summaryEmbedding(out).contains("CPU provider (this ONNX Runtime build has no CUDA provider"), summaryEmbedding(out));
    }

    @Test
    void cpuIsTheCpu() throws IOException {
        Path out = dir.resolve("cpu");
        CliRun.Result r = regroup(out, "cpu");
        assertEquals(0, r.code(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("ONNX Runtime CPU provider (--embedder-device cpu)"), r.stdout());
        assertTrue(summaryEmbedding(out).contains("ONNX Runtime CPU provider (--embedder-device cpu)"), summaryEmbedding(out));
    }

    @Test
    void cudaThatDoesNotLoadIsOneLineAndExit6() {
        assumeFalse(cudaInThisBuild(), "this ONNX Runtime build has the CUDA provider");
        Path out = dir.resolve("cuda");
        String line = CliRun.fails(ExitCodes.BACKEND_UNAVAILABLE, out, "regroup", "--train", train.toString(), "--out", out.toString(),
                "--k", "2", "--backend", "cpu", "--embedder-device", "cuda");
        assertTrue(line.contains("--embedder-device cuda") && line.contains("this ONNX Runtime build has no CUDA provider"), line);
        assertFalse(Files.exists(out), "nothing written");
        assertFalse(Files.exists(dir.resolve("rnb-embedding-cache")), "nothing embedded");
    }

    @Test
    void anUnknownDeviceIsABadOption() {
        Path out = dir.resolve("bad");
        String line = CliRun.fails(ExitCodes.BAD_OPTIONS, out, "regroup", "--train", train.toString(), "--out", out.toString(),
                "--k", "2", "--backend", "cpu", "--embedder-device", "tpu");
        assertTrue(line.contains("--embedder-device must be auto, cpu or cuda"), line);
    }
}
