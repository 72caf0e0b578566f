package dev.rnb.train;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.TrainingExample;
import dev.rnb.model.GptConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    static final GptConfig TINY = new GptConfig(16, 1, 2, 16);

    @TempDir
    Path dir;

    static ByteDataset corpus() {
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ex.add(new TrainingExample(("the cat sat on the mat " + i + ". ").repeat(3).getBytes(StandardCharsets.UTF_8), 0));
            ex.add(new TrainingExample(("0123456789".repeat(5) + i).getBytes(StandardCharsets.UTF_8), 1));
        }
        return new ByteDataset(ex, List.of("words", "digits"));
    }

    @Test
    void lossFallsOnTheCpuBackend() {
        try (Backend b = Backends.open("cpu");
             Trainer t = new Trainer(b, TINY, TrainOptions.defaults(60, 8, 3), corpus())) {
            ByteDataset data = corpus();
            Evaluation before = t.evaluate(data);
            float first = t.trainStep();
            float last = 0;
            for (int i = 1; i < 60; i++) last = t.trainStep();
            Evaluation after = t.evaluate(data);
            assertEquals(Math.log(256), before.loss(), 0.1, "an untrained byte model is near uniform");
            assertTrue(last < first - 1.5, "loss " + first + " -> " + last);
            assertTrue(after.loss() < before.loss() - 1.5, "eval loss " + before.loss() + " -> " + after.loss());
            for (int d = 0; d < 2; d++) {
                assertTrue(after.domainLoss()[d] < before.domainLoss()[d], "domain " + d);
                assertTrue(after.domainTargets()[d] > 0);
            }
        }
    }

    @Test
    void resumeIsBitIdenticalOnCpu() throws IOException {
        int steps = 8, k = 3;
        TrainOptions o = TrainOptions.defaults(steps, 4, 11);
        float[] straight, resumed;
        try (Backend b = Backends.open("cpu")) {
            try (Trainer t = new Trainer(b, TINY, o, corpus())) {
                t.setProportions(new float[] {0.3f, 0.7f});
                for (int i = 0; i < steps; i++) t.trainStep();
                straight = params(b, t);
            }
            Path ckpt = dir.resolve("run/ckpt.bin");
            try (Trainer t = new Trainer(b, TINY, o, corpus())) {
                t.setProportions(new float[] {0.3f, 0.7f});
                for (int i = 0; i < k; i++) t.trainStep();
                t.save(ckpt, new byte[] {1, 2, 3});
            }
            try (Trainer t = new Trainer(b, TINY, o, corpus())) {
                byte[] extra = t.restore(Checkpoint.read(ckpt), ckpt, null);
                assertArrayEquals(new byte[] {1, 2, 3}, extra);
                assertEquals(k, t.step());
                assertArrayEquals(new float[] {0.3f, 0.7f}, t.sampler().proportions());
                for (int i = k; i < steps; i++) t.trainStep();
                resumed = params(b, t);
            }
            try (var files = Files.list(dir.resolve("run"))) {
                assertEquals(List.of(ckpt), files.toList(), "no temporary file is left behind");
            }
        }
        assertArrayEquals(straight, resumed, "N steps straight vs k steps + save + load + N-k steps");
    }

    @Test
    void gradientProbeStepAndSnapshotLeaveTheRunAsItWas() {
        try (Backend b = Backends.open("cpu"); Trainer t = new Trainer(b, TINY, TrainOptions.defaults(6, 4, 5), corpus())) {
            t.trainStep();
            float[] start = t.snapshot();
            var batch = t.sampler().next();
            float[] g1 = t.gradientOn(batch);
            float[] g2 = t.gradientOn(batch);
            assertArrayEquals(g1, g2, "a gradient without a step does not move the model");
            assertArrayEquals(start, t.snapshot());
            double norm = 0;
            for (float x : g1) norm += x * x;
            assertTrue(norm > 0);
            float before = t.probeStep(batch);
            t.gradientOn(batch);
            assertTrue(t.model().loss() < before, "a probe step on a batch lowers its loss");
            assertEquals(1, t.step(), "probe steps do not count");
            t.restoreSnapshot(start);
            assertArrayEquals(start, t.snapshot());
            assertArrayEquals(g1, t.gradientOn(batch));
            assertThrows(IllegalArgumentException.class, () -> t.restoreSnapshot(new float[3]));
        }
    }

    private static float[] params(Backend b, Trainer t) {
        float[] p = new float[(int) t.model().layout().size()];
        b.download(t.model().parameters(), 0, p, 0, p.length);
        return p;
    }

    @Test
    void corruptCheckpointIsAClearError() throws IOException {
        Path ckpt = dir.resolve("c.bin");
        try (Backend b = Backends.open("reference"); Trainer t = new Trainer(b, TINY, TrainOptions.defaults(2, 2, 1), corpus())) {
            t.trainStep();
            t.save(ckpt, new byte[0]);
        }
        byte[] bytes = Files.readAllBytes(ckpt);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(ckpt, bytes);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(ckpt));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        Files.write(ckpt, new byte[] {1, 2, 3});
        assertTrue(assertThrows(IOException.class, () -> Checkpoint.read(ckpt)).getMessage().contains("not an rnb checkpoint"));
    }

    @Test
    void scheduleWarmsUpThenDecaysToTheFloor() {
        TrainOptions o = new TrainOptions(100, 1, 1f, 10, 0.1f, 0f, 0.9f, 0.95f, 1e-8f, 0f, 1);
        assertEquals(0.1f, o.learningRate(1), 1e-6);
        assertEquals(1f, o.learningRate(10), 1e-6);
        assertEquals(0.55f, o.learningRate(55), 1e-6);
        assertEquals(0.1f, o.learningRate(100), 1e-6);
        assertTrue(o.learningRate(30) > o.learningRate(70));
    }
}
