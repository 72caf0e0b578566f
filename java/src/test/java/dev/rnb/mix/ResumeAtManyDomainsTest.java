package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.MixtureSampler;
import dev.rnb.data.TrainingExample;
import dev.rnb.train.TrainOptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run at {@link MixtureSampler#SPARSE_MIN_DOMAINS} domains and more, where
 * R&amp;B's p' is sparse (or grouped, {@code rnb:hier}) and the sampler draws
 * from its sparse table: N steps straight against a checkpoint file written
 * mid-round, read back by a fresh run ({@link MixedRun#resume}) and continued,
 * step by step the same losses and batches, bit for bit. The checkpoint holds
 * p' in its own form (the sampler's and the strategy's), so the resumed
 * sampler draws from the same table without expanding it to k values.
 */
class ResumeAtManyDomainsTest {
    static final int K = MixtureSampler.SPARSE_MIN_DOMAINS + 321, STEPS = 8, CUT = 4;

    @TempDir
    Path dir;

    /**
     * One short example in most domains (every 17th has none), the same for
     * evaluation, so that the evaluation proportions weigh every touched domain
     * and a round's G p is not zero (which would skip it and keep p' uniform).
     */
    static ByteDataset corpus() {
        List<TrainingExample> ex = new ArrayList<>();
        List<String> names = new ArrayList<>(K);
        for (int d = 0; d < K; d++) {
            names.add(Integer.toString(d));
            if (d % 17 != 0) {
                ex.add(new TrainingExample(("domain " + d + " says " + (d * 7919 % 1000)).getBytes(StandardCharsets.UTF_8), d));
            }
        }
        return new ByteDataset(ex, names);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnb:sketch=4x3", "rnb:sketch=4x3:uniform=0.25", "rnb:sketch=4x3:absent=carry",
            "rnb:sketch=4x3:hier=8", "rnb:sketch=4x3:hier=4/3:absent=carry"})
    @Timeout(120)
    void resumedRunMatchesTheStraightRun(String spec) throws Exception {
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = new MixingContext(b, corpus(), corpus(), MixingStrategyTest.TINY,
                    TrainOptions.defaults(STEPS, 4, 7), MixingStrategyTest.options(3));
            DomainProportions restored = ResumeCheck.run(spec, ctx, dir.resolve("ckpt.bin"), CUT, (batch, next) -> {});
            assertTrue(restored.isSparse() && restored.listedCount() > 0, spec + ": p' restored sparse, not uniform");
            assertEquals(spec.contains("hier"), restored.isGrouped(), spec + ": grouped with rnb:hier");
        }
    }
}
