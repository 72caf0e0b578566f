package dev.rnb.reliability;

import dev.rnb.cli.Main;
import dev.rnb.train.Checkpoint;
import dev.rnb.train.CheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Starts {@code rnb train} as a child JVM, SIGKILLs it at random points
 * (Process.destroyForcibly), resumes from whatever checkpoint survived, and
 * shows that the final checkpoint (model, AdamW moments, sampler state) is
 * byte-identical to an uninterrupted run on cpu, and that every checkpoint
 * present after a kill loads and verifies.
 *
 * <p>CI: 5 kills. Longer: {@code -Drnb.crash.kills=200} (and
 * {@code -Drnb.crash.seed=N} to vary the kill points).
 */
class CrashSafetyTest {
    private static final int KILLS = Integer.getInteger("rnb.crash.kills", 5);
    private static final long SEED = Long.getLong("rnb.crash.seed", 20260529L);
    private static final int STEPS = 30 * KILLS + 30;
    private static final Pattern STEP_LINE = Pattern.compile("^step (\\d+)/");

    @TempDir
    Path dir;

    private String[] trainArgs(Path data, Path out) {
        return new String[] {"train", "--input", data.toString(), "--out", out.toString(), "--backend", "cpu",
                "--steps", Integer.toString(STEPS), "--batch", "4", "--context", "16", "--layers", "1", "--heads", "2",
                "--width", "16", "--log-every", "1", "--checkpoint-every", "3", "--seed", "9"};
    }

    @Test
    void killedAndResumedRunsEndBitIdenticalToAnUninterruptedRun() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            lines.add("{\"text\": \"the quick brown fox " + i + " jumps over the lazy dog\", \"domain\": \"prose\"}");
            lines.add("{\"text\": \"for (int i = 0; i < " + i + "; i++) sum += i;\", \"domain\": \"code\"}");
        }
        Path data = Files.write(dir.resolve("train.jsonl"), lines);

        Path reference = dir.resolve("reference");
        PrintStream saved = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run(trainArgs(data, reference)));
        } finally {
            System.setOut(saved);
        }

        Path out = dir.resolve("crashy");
        Path checkpoint = out.resolve("checkpoint.bin");
        Random random = new Random(SEED);
        int kills = 0, lastStep = 0;
        while (kills < KILLS) {
            int resumeStep = Files.exists(checkpoint) ? Checkpoint.read(checkpoint).step() : 0;
            assertTrue(resumeStep >= lastStep, "checkpoints never go back: " + resumeStep + " after " + lastStep);
            lastStep = resumeStep;
            int killAfter = Math.min(STEPS - 1, resumeStep + 1 + random.nextInt(8));
            if (killAfter <= resumeStep) break;
            Process child = start(data, out, Files.exists(checkpoint));
            boolean killed = false;
            try (BufferedReader stdout = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = stdout.readLine()) != null) {
                    Matcher m = STEP_LINE.matcher(line);
                    if (m.find() && Integer.parseInt(m.group(1)) >= killAfter) {
                        int delayMicros = random.nextInt(20_000);
                        TimeUnit.MICROSECONDS.sleep(delayMicros);
                        child.destroyForcibly();
                        killed = true;
                        break;
                    }
                }
            } finally {
                child.destroyForcibly();
                assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child exits");
            }
            if (!killed) {
                fail("the child ended (exit " + child.exitValue() + ") before step " + killAfter + ": "
                        + new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            kills++;
            verifyOutputs(out);
        }

        assertEquals(KILLS, kills, "every planned kill happened mid-run");
        Process last = start(data, out, Files.exists(checkpoint));
        last.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertTrue(last.waitFor(120, TimeUnit.SECONDS), "the last resume finishes");
        assertEquals(0, last.exitValue(), new String(last.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));

        Checkpoint straight = Checkpoint.read(reference.resolve("checkpoint.bin"));
        Checkpoint resumed = Checkpoint.read(checkpoint);
        assertEquals(STEPS, resumed.step());
        assertEquals(straight.samplerState(), resumed.samplerState());
        assertArrayEquals(straight.proportions().bind(null).toArray(), resumed.proportions().bind(null).toArray());
        assertTrue(Arrays.equals(bits(straight.parameters()), bits(resumed.parameters())), "parameters bit for bit");
        assertTrue(Arrays.equals(bits(straight.moments()), bits(resumed.moments())), "AdamW moments bit for bit");
        assertArrayEquals(Files.readAllBytes(reference.resolve("checkpoint.bin")), Files.readAllBytes(checkpoint));
        try (var files = Files.list(out)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("checkpoint.bin", "loss.png", "metrics.csv"), names, "no temporary file is left");
        }
        System.out.println("CrashSafetyTest: " + kills + " kills survived, " + STEPS + " steps, seed " + SEED);
    }

    private Process start(Path data, Path out, boolean resume) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(Arrays.asList(trainArgs(data, out)));
        if (resume) {
            cmd.add("--resume");
            cmd.add(out.resolve("checkpoint.bin").toString());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(dir.resolve("child-stderr.txt").toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        return pb.start();
    }

    /** Every checkpoint present loads and verifies its checksum; other files are temporaries or complete outputs. */
    private static void verifyOutputs(Path out) throws IOException {
        if (!Files.isDirectory(out)) return;
        try (var files = Files.list(out)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (name.equals("checkpoint.bin")) {
                    try {
                        Checkpoint.read(p);
                    } catch (CheckpointException e) {
                        fail("a kill left a bad checkpoint: " + e.getMessage());
                    }
                } else {
                    assertTrue(name.endsWith(".tmp"), "only temporaries besides the checkpoint mid-run: " + name);
                }
            }
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }
}
