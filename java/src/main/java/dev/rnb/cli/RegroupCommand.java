package dev.rnb.cli;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.data.Corpus;
import dev.rnb.data.CorpusLoader;
import dev.rnb.data.EvalSplit;
import dev.rnb.data.LoadOptions;
import dev.rnb.data.Npy;
import dev.rnb.embed.TextEmbedder;
import dev.rnb.regroup.Embedded;
import dev.rnb.regroup.ChunkedKMeans;
import dev.rnb.regroup.ChunkedRegroup;
import dev.rnb.regroup.KSweep;
import dev.rnb.regroup.Regroup;
import dev.rnb.regroup.RegroupOutput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** rnb regroup: R&B stage 1 on a corpus, from files to an output directory. */
@Command(name = "regroup", mixinStandardHelpOptions = true,
        description = "Regroup a corpus into semantic domains (R&B stage 1): embed, sweep k with k-means, "
                + "keep the best silhouette, assign evaluation examples to the nearest training centroid.")
final class RegroupCommand implements Callable<Integer> {

    @Option(names = "--train", description = "Training corpus: a .jsonl file or a directory with one subdirectory of text files per domain (required unless --chunk-rows)")
    Path train;

    @Option(names = "--chunk-rows", defaultValue = "0", description = "Cluster --train-embeddings read in chunks of this many rows, for files larger "
            + "than memory; no corpus is read (--train, --eval not needed), --eval-embeddings rows are assigned (default: 0, all in memory)")
    int chunkRows;

    @Option(names = "--eval", description = "Evaluation corpus (same formats); without it, --eval-fraction of --train is split off")
    Path eval;

    @Option(names = "--eval-fraction", defaultValue = "0.1", description = "Fraction of --train used for evaluation when --eval is absent (default: ${DEFAULT-VALUE})")
    double evalFraction;

    @Option(names = "--out", required = true, description = "Output directory")
    Path out;

    @Option(names = "--text-field", defaultValue = "text", description = "JSONL field with the text (default: ${DEFAULT-VALUE})")
    String textField;

    @Option(names = "--domain-field", defaultValue = "domain", description = "Optional JSONL field with the original domain (default: ${DEFAULT-VALUE})")
    String domainField;

    @Option(names = "--embedding-field", description = "Use precomputed embeddings from this JSONL array field")
    String embeddingField;

    @Option(names = "--train-embeddings", description = "Precomputed training embeddings, float32 .npy (examples x dims); with --eval-fraction, rows of the whole --train")
    Path trainEmbeddings;

    @Option(names = "--eval-embeddings", description = "Precomputed evaluation embeddings, float32 .npy (needed with --eval and --train-embeddings)")
    Path evalEmbeddings;

    @Mixin
    EmbedderOptions embedding;

    @Mixin
    KSweepOptions sweep;

    @Option(names = "--dims", defaultValue = "256", description = "Dimensions of --embedder hashed (default: ${DEFAULT-VALUE})")
    int dims;

    @Option(names = "--tolerance", defaultValue = "1e-4", description = "Stop when the inertia improves by less than this fraction (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Option(names = "--skip-bad-lines", description = "Skip malformed input lines (counted and reported) instead of failing")
    boolean skipBadLines;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, cuda, cpu, cuda-emulated or reference (default: ${DEFAULT-VALUE})")
    String backend;

    @Override
    public Integer call() throws OutputNotWritableException {
        List<Integer> ks = KSweep.parse(sweep.k);
        if (embeddingField != null && trainEmbeddings != null) {
            throw new IllegalArgumentException("use either --embedding-field or --train-embeddings, not both");
        }
        if (chunkRows < 0) {
            throw new IllegalArgumentException("--chunk-rows must be >= 0, got " + chunkRows);
        }
        if (chunkRows > 0) {
            return chunked(ks);
        }
        if (train == null) {
            throw new IllegalArgumentException("--train is required (or --train-embeddings with --chunk-rows)");
        }
        // Open the backend and the embedder first: an unavailable backend or a bad
        // model fails before minutes of loading and embedding.
        boolean ownEmbeddings = embeddingField == null && trainEmbeddings == null;
        try (Backend b = Backends.fromOption(backend);
             TextEmbedder embedder = ownEmbeddings ? embedding.open(out, dims, sweep.seed) : null) {
            LoadOptions load = new LoadOptions(textField, domainField, embeddingField, skipBadLines);
            Corpus all = CorpusLoader.load(train, load);
            Corpus trainSet, evalSet;
            Embedded embedded;
            long skipped = all.skippedLines();
            if (eval != null) {
                trainSet = all;
                evalSet = CorpusLoader.load(eval, load);
                skipped += evalSet.skippedLines();
                embedded = embed(embedder, all, trainSet, evalSet, null);
            } else {
                EvalSplit.Parts parts = EvalSplit.split(all, evalFraction, sweep.seed);
                trainSet = parts.train();
                evalSet = parts.eval();
                embedded = embed(embedder, all, trainSet, evalSet, parts);
                System.out.printf(Locale.ROOT, "split %d examples: %d train, %d eval (fraction %.3f, seed %d)%n",
                        all.size(), trainSet.size(), evalSet.size(), evalFraction, sweep.seed);
            }
            if (skipped > 0) {
                System.out.println("skipped " + skipped + " bad lines (--skip-bad-lines)");
            }
            Regroup.Options o = new Regroup.Options(ks, sweep.spherical, sweep.seed, sweep.maxIterations, tolerance, sweep.restarts, sweep.silhouetteSample);
            Regroup.Result r = Regroup.run(b, embedded.train(), trainSet.size(), embedded.eval(), evalSet.size(), embedded.dims(), o);
            System.out.printf(Locale.ROOT, "backend %s, %s, %d train / %d eval examples%n",
                    b.name(), embedded.source(), trainSet.size(), evalSet.size());
            System.out.print(RegroupTable.format(r));
            try {
                RegroupOutput.write(out, new RegroupOutput.Inputs(b.name(), embedded.source(), embedded.dims(), trainSet.size(),
                        evalSet.size(), skipped, trainSet.hasDomains() ? trainSet.domains() : null), r);
            } catch (UncheckedIOException e) {
                throw new OutputNotWritableException(e.getMessage(), e);
            }
            System.out.println("wrote " + out);
        }
        return 0;
    }

    /** Regroup over an embedding file read in chunks (ChunkedRegroup): no corpus, memory independent of its size. */
    private int chunked(List<Integer> ks) throws OutputNotWritableException {
        if (trainEmbeddings == null) {
            throw new IllegalArgumentException("--chunk-rows needs --train-embeddings (the rows it reads in chunks)");
        }
        if (train != null || eval != null || embeddingField != null || sweep.spherical) {
            throw new IllegalArgumentException("--chunk-rows reads only --train-embeddings / --eval-embeddings: drop --train, --eval, --embedding-field and --spherical");
        }
        try (Backend b = Backends.fromOption(backend)) {
            ChunkedKMeans.Options o = new ChunkedKMeans.Options(ks.get(0), chunkRows, 100_000, sweep.maxIterations, tolerance, sweep.seed);
            printNote(trainEmbeddings, Npy.header(trainEmbeddings).note());
            if (evalEmbeddings != null) printNote(evalEmbeddings, Npy.header(evalEmbeddings).note());
            ChunkedRegroup.Outcome r;
            try {
                r = ChunkedRegroup.run(b, trainEmbeddings, evalEmbeddings, ks, o, sweep.silhouetteSample, out);
            } catch (java.io.IOException | UncheckedIOException e) {
                throw new OutputNotWritableException("cannot write " + out + " (" + e.getMessage() + ")", e);
            }
            System.out.printf(Locale.ROOT, "backend %s, %s read in chunks of %d rows: %d rows x %d dims%n", b.name(),
                    trainEmbeddings.getFileName(), chunkRows, r.best().n(), r.best().d());
            for (KSweep.Row row : r.rows()) {
                System.out.printf(Locale.ROOT, "  k=%d silhouette %.4f inertia %.6g passes %d%n", row.k(), row.silhouette(), row.inertia(), row.iterations());
            }
            System.out.printf(Locale.ROOT, "chose k = %d; wrote %s%n", r.best().k(), out);
        }
        return 0;
    }

    private Embedded embed(TextEmbedder embedder, Corpus all, Corpus trainSet, Corpus evalSet, EvalSplit.Parts parts) {
        if (embeddingField != null) {
            return Embedded.fromField(trainSet, evalSet, embeddingField);
        }
        if (trainEmbeddings == null) {
            if (evalEmbeddings != null) throw new IllegalArgumentException("--eval-embeddings needs --train-embeddings");
            return embedder.embed(trainSet.texts(), evalSet.texts());
        }
        Npy.Matrix t = Npy.read(trainEmbeddings);
        printNote(trainEmbeddings, t.note());
        if (parts != null) {
            if (evalEmbeddings != null) throw new IllegalArgumentException("--eval-embeddings needs --eval (with --eval-fraction, --train-embeddings covers both)");
            Embedded.checkRows(t, all, trainEmbeddings.toString());
            return new Embedded(Embedded.rows(t.data(), t.cols(), parts.trainIndex()), Embedded.rows(t.data(), t.cols(), parts.evalIndex()),
                    t.cols(), ".npy " + trainEmbeddings.getFileName());
        }
        if (evalEmbeddings == null) throw new IllegalArgumentException("--train-embeddings with --eval needs --eval-embeddings");
        Npy.Matrix e = Npy.read(evalEmbeddings);
        printNote(evalEmbeddings, e.note());
        Embedded.checkRows(t, trainSet, trainEmbeddings.toString());
        Embedded.checkRows(e, evalSet, evalEmbeddings.toString());
        return Embedded.fromMatrices(t, e, ".npy " + trainEmbeddings.getFileName() + " / " + evalEmbeddings.getFileName());
    }

    /** Says what reading a .npy file converted (float64 to float32, byte order, Fortran order). */
    private static void printNote(Path npy, String note) {
        if (note != null) System.out.println("note: " + npy.getFileName() + ": " + note);
    }
}
