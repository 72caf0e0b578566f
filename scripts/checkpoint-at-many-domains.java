import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.TrainingExample;
import dev.rnb.mix.MixOptions;
import dev.rnb.mix.MixedRun;
import dev.rnb.mix.MixingContext;
import dev.rnb.mix.MixingStrategy;
import dev.rnb.mix.Strategies;
import dev.rnb.model.GptConfig;
import dev.rnb.train.TrainOptions;
import dev.rnb.train.Trainer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A whole training checkpoint of an R&amp;B run at k domains, as `MixedRun` writes and resumes it: its file size,
 * `Trainer.save` (with the strategy's state; the write is forced to disk) and `MixedRun.resume` (read, the strategy's
 * state and the trainer's restored) on a fresh run, medians of REPS after two untimed. A tiny model (1 layer, width
 * 16), batch 16, one short example in 12 of 13 domains (the evaluation set the same, so that rounds are not
 * skipped), two rounds of 20 steps before the checkpoint. Run from the repository root with the built jar:
 *
 *     OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 java -Xmx8g -cp java/target/rnb.jar scripts/checkpoint-at-many-domains.java 1000000 5 rnb:sketch=64:K=20
 *
 * (docs/scaling/large-k-end-to-end.md, "Checkpoints at 10^6 domains").
 */
public class CheckpointAtManyDomains {
    public static void main(String[] a) throws Exception {
        int k = Integer.parseInt(a[0]), reps = Integer.parseInt(a[1]);
        String spec = a[2];
        Path dir = Files.createTempDirectory("checkpoint-at-many-domains");
        List<TrainingExample> ex = new ArrayList<>(k);
        List<String> names = new ArrayList<>(k);
        for (int d = 0; d < k; d++) {
            names.add(Integer.toString(d));
            if (d % 13 != 0) ex.add(new TrainingExample(("domain " + d + " text, a little longer than the context").getBytes(StandardCharsets.UTF_8), d));
        }
        ByteDataset data = new ByteDataset(ex, names);
        GptConfig shape = new GptConfig(16, 1, 2, 16);
        TrainOptions o = TrainOptions.defaults(40, 16, 7);
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = new MixingContext(b, data, data, shape, o, MixOptions.defaults(1));
            Path f = dir.resolve("checkpoint.bin");
            double[] save = new double[reps];
            try (MixingStrategy s = Strategies.create(spec, ctx); Trainer t = new Trainer(b, shape, o, data)) {
                t.setProportions(s.initialProportions());
                s.begin(t);
                s.attach(t);
                while (t.step() < 40) {
                    t.trainStep();
                    DomainProportions next = s.endOfStep(t.step(), t);
                    if (next != null) t.setProportions(next);
                }
                DomainProportions p = t.sampler().mixture();
                System.out.println("p' in force: sparse " + p.isSparse() + (p.isSparse() ? ", listed " + p.listedCount() : ""));
                for (int r = -2; r < reps; r++) {
                    long t0 = System.nanoTime();
                    t.save(f, s.saveState());
                    if (r >= 0) save[r] = (System.nanoTime() - t0) / 1e6;
                }
            }
            double[] resume = new double[reps];
            for (int r = -2; r < reps; r++) {
                try (MixingStrategy s = Strategies.create(spec, ctx); Trainer t = new Trainer(b, shape, o, data)) {
                    MixedRun run = new MixedRun(t, s, data);
                    long t0 = System.nanoTime();
                    run.resume(f);
                    if (r >= 0) resume[r] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Arrays.sort(save);
            Arrays.sort(resume);
            System.out.printf("k %d %s: file %d bytes; save %.2f ms (median of %d, %.2f-%.2f); resume %.2f ms (%.2f-%.2f)%n", k, spec,
                    Files.size(f), save[reps / 2], reps, save[0], save[reps - 1], resume[reps / 2], resume[0], resume[reps - 1]);
            Files.delete(f);
            Files.delete(dir);
        }
    }
}
