package dev.rnb.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void trainsEvaluatesCheckpointsDrawsTheCurveAndResumes() throws IOException {
        List<String> train = new ArrayList<>(), eval = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            train.add("{\"text\": \"hello world number " + i + "\", \"domain\": \"greetings\"}");
            train.add("{\"text\": \"" + "0123456789".repeat(3) + "\", \"domain\": \"digits\"}");
        }
        eval.add("{\"text\": \"hello world number 99\", \"domain\": \"greetings\"}");
        eval.add("{\"text\": \"9876543210\", \"domain\": \"digits\"}");
        Path trainFile = dir.resolve("train.jsonl"), evalFile = dir.resolve("eval.jsonl"), out = dir.resolve("out");
        Files.write(trainFile, train);
        Files.write(evalFile, eval);
        String[] common = {"--input", trainFile.toString(), "--eval", evalFile.toString(), "--out", out.toString(),
                "--backend", "cpu", "--batch", "4", "--context", "16", "--layers", "1", "--heads", "2", "--width", "16",
                "--log-every", "2", "--eval-every", "3", "--checkpoint-every", "4"};
        String text = CliRun.run(0, concat(new String[] {"train", "--steps", "6"}, common));
        assertTrue(text.contains("step 6/6 | loss "), text);
        assertTrue(text.contains("tok/s | ETA "), text);
        assertTrue(text.contains("eval step 3 | loss "), text);
        assertTrue(text.contains("| greetings ") && text.contains("| digits "), text);
        byte[] png = Files.readAllBytes(out.resolve("loss.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
        assertTrue(Files.readAllLines(out.resolve("metrics.csv")).size() > 6);

        String resumed = CliRun.run(0, concat(new String[] {"train", "--steps", "8", "--resume", out.resolve("checkpoint.bin").toString()}, common));
        assertTrue(resumed.contains("steps 7..8"), resumed);
        assertTrue(resumed.contains("step 8/8 | loss "), resumed);
    }

    @Test
    void missingInputIsAOneLineError() {
        String text = CliRun.run(3, "train", "--input", dir.resolve("nope.jsonl").toString(), "--out", dir.resolve("o").toString());
        assertTrue(text.startsWith("rnb train: "), text);
        assertEquals(1, text.strip().lines().count(), text);
    }

    @Test
    void cudnnAttentionWhereItCannotRunSaysWhyOnceAndTrainsOnOurKernels() throws IOException {
        Path trainFile = dir.resolve("train.jsonl");
        Files.write(trainFile, List.of("{\"text\": \"hello world, hello bytes\", \"domain\": \"a\"}"));
        String text = CliRun.run(0, "train", "--input", trainFile.toString(), "--out", dir.resolve("out").toString(),
                "--backend", "cuda-emulated", "--attention", "cudnn", "--steps", "2", "--batch", "2", "--context", "8",
                "--layers", "1", "--heads", "2", "--width", "8", "--log-every", "1");
        assertEquals(1, text.lines().filter(l -> l.startsWith("rnb: cuDNN attention unavailable (it needs a GPU")).count(), text);
        assertTrue(text.contains("attention: our kernels"), text);
        assertTrue(text.contains("step 2/2 | loss "), text);
    }

    @Test
    void anUnknownAttentionIsABadOptionBeforeAnythingIsWritten() {
        Path out = dir.resolve("o");
        String text = CliRun.run(2, "train", "--input", dir.resolve("nope.jsonl").toString(), "--out", out.toString(),
                "--attention", "flash");
        assertTrue(text.contains("choose kernels or cudnn"), text);
        assertTrue(!Files.exists(out), "the output folder was created");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
