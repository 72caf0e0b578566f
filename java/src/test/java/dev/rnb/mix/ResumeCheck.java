package dev.rnb.mix;

import dev.rnb.data.Batch;
import dev.rnb.data.DomainProportions;
import dev.rnb.train.Trainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A run of the context's steps straight against a checkpoint written at step {@code cut} (mid-round), read back by a
 * fresh run ({@link MixedRun#resume}) and continued: step by step the same batches and losses, bit for bit, and at
 * the end the same parameters and proportions.
 */
final class ResumeCheck {
    /** Called after each straight step with its batch and the proportions its end set (null when none). */
    interface StepCheck {
        void check(Batch batch, DomainProportions next);
    }

    private ResumeCheck() {}

    /** Runs both; returns the resumed run's mixture as the checkpoint restored it, for the caller's own checks. */
    static DomainProportions run(String spec, MixingContext ctx, Path ckpt, int cut, StepCheck each) throws Exception {
        int steps = ctx.options().steps();
        List<Float> straightLosses = new ArrayList<>();
        List<int[]> straightDomains = new ArrayList<>();
        float[] straightParams, straightP;
        try (MixingStrategy s = Strategies.create(spec, ctx); Trainer t = new Trainer(ctx.backend(), ctx.config(), ctx.options(), ctx.train())) {
            t.setProportions(s.initialProportions());
            s.begin(t);
            s.attach(t);
            while (t.step() < steps) {
                Batch batch = t.sampler().next();
                straightLosses.add(t.trainStep(batch));
                straightDomains.add(batch.domainOfSequence());
                DomainProportions next = s.endOfStep(t.step(), t);
                each.check(batch, next);
                if (next != null) t.setProportions(next);
                if (t.step() == cut) t.save(ckpt, s.saveState());
            }
            straightParams = t.snapshot();
            straightP = ((AbstractStrategy) s).proportions();
        }
        try (MixingStrategy s = Strategies.create(spec, ctx); Trainer t = new Trainer(ctx.backend(), ctx.config(), ctx.options(), ctx.train())) {
            new MixedRun(t, s, ctx.eval()).resume(ckpt);
            DomainProportions restored = t.sampler().mixture();
            s.attach(t);
            while (t.step() < steps) {
                Batch batch = t.sampler().next();
                float loss = t.trainStep(batch);
                assertArrayEquals(straightDomains.get(t.step() - 1), batch.domainOfSequence(), spec + ": step " + t.step() + "'s domains");
                assertEquals(straightLosses.get(t.step() - 1), loss, spec + ": step " + t.step() + "'s loss");
                DomainProportions next = s.endOfStep(t.step(), t);
                if (next != null) t.setProportions(next);
            }
            assertArrayEquals(straightParams, t.snapshot(), spec + ": parameters");
            assertArrayEquals(straightP, ((AbstractStrategy) s).proportions(), spec + ": p'");
            return restored;
        }
    }
}
