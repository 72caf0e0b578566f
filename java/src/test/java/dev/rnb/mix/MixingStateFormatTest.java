package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.data.DomainProportions;
import dev.rnb.model.GptConfig;
import dev.rnb.train.Checkpoint;
import dev.rnb.train.CheckpointException;
import dev.rnb.train.TrainOptions;
import dev.rnb.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mixing strategy's checkpoint state ({@link AbstractStrategy}): a state of
 * the first format (proportions as k floats) is refused, saying so; a state
 * cut short anywhere, or of another number of domains, is refused in one line
 * and leaves the strategy's proportions as they were; through
 * {@link MixedRun#resume} the error names the file and the field.
 */
class MixingStateFormatTest {
    @TempDir
    Path dir;

    /** What the first format wrote for a fixed mixture: the name, k floats, the counters. */
    static byte[] firstFormatState(String name, float[] p) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(name);
            out.writeInt(p.length);
            for (float x : p) out.writeFloat(x);
            out.writeLong(0L);
            out.writeDouble(0.0);
        }
        return bytes.toByteArray();
    }

    @Test
    void aStateOfTheFirstFormatIsRefusedSayingSo() throws IOException {
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = MixingStrategyTest.context(b, 4, MixingStrategyTest.options(2));
            try (MixingStrategy s = Strategies.create("stratified", ctx)) {
                byte[] old = firstFormatState("stratified", new float[] {0.2f, 0.3f, 0.5f});
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.restoreState(old));
                assertTrue(e.getMessage().contains("a state of an older rnb, which stored the proportions as k floats, cannot be resumed"),
                        e.getMessage());
            }
        }
    }

    @Test
    void aStateCutShortOrOfOtherDomainsChangesNothing() throws IOException {
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = MixingStrategyTest.context(b, 4, MixingStrategyTest.options(2));
            for (String name : new String[] {"stratified", "rnb", "rnb:hier=2"}) {
                try (AbstractStrategy saved = (AbstractStrategy) Strategies.create(name, ctx);
                     AbstractStrategy target = (AbstractStrategy) Strategies.create(name, ctx)) {
                    saved.current = DomainProportions.dense(new float[] {0.5f, 0.25f, 0.25f});
                    byte[] state = saved.saveState();
                    float[] before = target.proportions();
                    for (int n = 0; n < state.length; n++) {
                        byte[] cut = Arrays.copyOf(state, n);
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.restoreState(cut),
                                name + " cut at " + n);
                        assertFalse(e.getMessage().contains("\n"), "one line");
                        assertArrayEquals(before, target.proportions(), name + " cut at " + n + ": the proportions as they were");
                    }
                    target.restoreState(state);
                    assertArrayEquals(new float[] {0.5f, 0.25f, 0.25f}, target.proportions(), name + ": the whole state restores");
                }
            }
        }
    }

    /**
     * A state that parses but whose carried scores do not fit the hierarchy it restores: refused, and the
     * strategy keeps its groups and carried scores (before the fix the hierarchy was replaced, its scores
     * started afresh, and only then was the state refused).
     */
    @Test
    void aStateWhoseCarriedScoresDoNotFitItsHierarchyChangesNothing() throws IOException {
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = MixingStrategyTest.context(b, 4, MixingStrategyTest.options(2));
            try (AbstractStrategy saved = (AbstractStrategy) Strategies.create("rnb:hier=2/2:absent=carry", ctx);
                 AbstractStrategy target = (AbstractStrategy) Strategies.create("rnb:hier=2/2:absent=carry", ctx)) {
                byte[] state = saved.saveState();
                int n = randomCarriedScores(state); // so that losing them shows
                target.restoreState(state);
                byte[] before = target.saveState();
                // One score fewer: the groups parse and fit, the scores do not.
                byte[] shortOne = Arrays.copyOf(state, state.length - 8);
                java.nio.ByteBuffer.wrap(shortOne).putInt(state.length - 8 * n - 4, n - 1);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.restoreState(shortOne));
                assertTrue(e.getMessage().contains("carried scores"), e.getMessage());
                assertArrayEquals(before, target.saveState(), "the groups and carried scores as they were");
            }
        }
    }

    /**
     * A whole state with bytes after it: refused after every field parsed,
     * and the strategy keeps its groups and carried scores (before the fix
     * R&amp;B's fields were in force by the time the trailing bytes, or
     * proportions that do not bind to the restored groups, were refused).
     */
    @Test
    void aStateRefusedAfterItsFieldsParsedChangesNothing() throws IOException {
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = MixingStrategyTest.context(b, 4, MixingStrategyTest.options(2));
            for (String name : new String[] {"rnb:absent=carry", "rnb:hier=2/2:absent=carry"}) {
                try (AbstractStrategy saved = (AbstractStrategy) Strategies.create(name, ctx);
                     AbstractStrategy target = (AbstractStrategy) Strategies.create(name, ctx)) {
                    byte[] state = saved.saveState();
                    randomCarriedScores(state);
                    java.util.Random random = new java.util.Random();
                    byte[] before = target.saveState();
                    byte[] trailing = Arrays.copyOf(state, state.length + 1 + random.nextInt(5));
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.restoreState(trailing), name);
                    assertTrue(e.getMessage().contains("trailing bytes"), e.getMessage());
                    assertFalse(e.getMessage().contains("\n"), "one line");
                    assertArrayEquals(before, target.saveState(), name + ": the carried scores as they were");
                    target.restoreState(state);
                    assertArrayEquals(state, target.saveState(), name + ": the whole state restores");
                }
            }
        }
    }

    /**
     * A checkpoint whose mixing state restores but whose trainer part is
     * refused (a negative step): {@link MixedRun#resume} throws, naming the
     * file, and the strategy keeps its own state (before the fix it had the
     * checkpoint's carried scores while the trainer kept its own).
     */
    @Test
    void aResumeTheTrainerRefusesLeavesTheStrategyAsItWas() throws IOException {
        GptConfig tiny = MixingStrategyTest.TINY;
        Path f = dir.resolve("negative-step.bin");
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = MixingStrategyTest.context(b, 4, MixingStrategyTest.options(2));
            String name = "rnb:absent=carry";
            byte[] state;
            try (AbstractStrategy saved = (AbstractStrategy) Strategies.create(name, ctx)) {
                state = saved.saveState();
            }
            randomCarriedScores(state);
            java.util.Random random = new java.util.Random();
            try (Trainer t = new Trainer(b, tiny, ctx.options(), ctx.train())) {
                t.trainStep();
                t.save(f, state);
            }
            Checkpoint c = Checkpoint.read(f);
            new Checkpoint(c.config(), c.batch(), -1 - random.nextInt(9), c.samplerState(), c.proportions(), c.parameters(),
                    c.moments(), c.extra()).write(f);
            try (MixingStrategy s = Strategies.create(name, ctx); Trainer t = new Trainer(b, tiny, ctx.options(), ctx.train())) {
                byte[] before = s.saveState();
                CheckpointException e = assertThrows(CheckpointException.class, () -> new MixedRun(t, s, ctx.eval()).resume(f));
                assertTrue(e.getMessage().startsWith("checkpoint " + f + " step -"), e.getMessage());
                assertArrayEquals(before, s.saveState(), "the strategy's state as it was");
                assertEquals(0, t.step(), "the trainer is not restored");
            }
        }
    }

    /** Overwrites the carried scores that end an R&amp;B state with fresh random ones; returns how many there are. */
    private static int randomCarriedScores(byte[] state) {
        int n = carriedCount(state);
        java.nio.ByteBuffer scores = java.nio.ByteBuffer.wrap(state, state.length - 8 * n, 8 * n);
        java.util.Random random = new java.util.Random();
        for (int i = 0; i < n; i++) scores.putDouble(random.nextGaussian());
        return n;
    }

    /** How many carried scores end an R&amp;B state: the n whose count (an int) sits 8 n bytes before the end. */
    private static int carriedCount(byte[] state) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(state);
        for (int n = 1; 8 * n + 4 <= state.length; n++) {
            if (buf.getInt(state.length - 8 * n - 4) == n) return n;
        }
        throw new AssertionError("no carried scores at the end of the state");
    }

    @Test
    void aStateOfOtherDomainsNamesBoth() {
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = MixingStrategyTest.context(b, 4, MixingStrategyTest.options(2));
            try (AbstractStrategy three = (AbstractStrategy) Strategies.create("stratified", ctx);
                 AbstractStrategy two = new StaticStrategy("stratified", new float[] {0.5f, 0.5f})) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> two.restoreState(three.saveState()));
                assertEquals("the checkpoint's mixing state has 3 domains, this run has 2", e.getMessage());
            }
        }
    }

    @Test
    void resumingFromAnOldMixingStateNamesTheFileAndTheField() throws IOException {
        GptConfig tiny = MixingStrategyTest.TINY;
        Path f = dir.resolve("old-state.bin");
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = MixingStrategyTest.context(b, 4, MixingStrategyTest.options(2));
            try (Trainer t = new Trainer(b, tiny, TrainOptions.defaults(4, 4, 7), ctx.train())) {
                t.trainStep();
                t.save(f, firstFormatState("stratified", new float[] {0.2f, 0.3f, 0.5f}));
            }
            try (MixingStrategy s = Strategies.create("stratified", ctx); Trainer t = new Trainer(b, tiny, ctx.options(), ctx.train())) {
                CheckpointException e = assertThrows(CheckpointException.class, () -> new MixedRun(t, s, ctx.eval()).resume(f));
                assertTrue(e.getMessage().startsWith("checkpoint " + f + " field extra: the checkpoint's mixing state is not in this rnb's format"),
                        e.getMessage());
                assertEquals(0, t.step(), "the trainer is not restored");
            }
            assertEquals(1, Checkpoint.read(f).step());
        }
    }
}
