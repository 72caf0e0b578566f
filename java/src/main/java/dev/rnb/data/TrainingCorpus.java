package dev.rnb.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer's examples: a corpus in any form {@link CorpusLoader} reads
 * (JSONL plain or compressed, Parquet, a directory of text files), each text
 * as UTF-8 bytes with the id of its domain; an example without a domain is in
 * "default". Bad input is a {@link CorpusFormatException} naming the file and
 * line, as every reader's is.
 */
public final class TrainingCorpus {
    /** The domain of examples that name none. */
    static final String DEFAULT_DOMAIN = "default";
    private static final String HOLDS = "expected JSONL with a \"text\" field per line, Parquet with a \"text\" column, or a folder of domain folders of text files";

    private TrainingCorpus() {}

    /** Reads a training corpus; domain ids are given in order of first appearance. */
    public static ByteDataset readTraining(Path path) {
        Map<String, Integer> domains = new LinkedHashMap<>();
        List<TrainingExample> examples = read(path, domains, true);
        if (examples.isEmpty()) {
            throw new CorpusFormatException(path, 0, "no training examples (" + HOLDS + ")");
        }
        return new ByteDataset(examples, new ArrayList<>(domains.keySet()));
    }

    /**
     * Reads an evaluation corpus with the training set's domain names; a
     * domain the training set does not have is an error (no training data
     * could serve it), and so is a corpus without examples.
     */
    public static ByteDataset readEvaluation(Path path, List<String> trainingDomains) {
        Map<String, Integer> domains = new LinkedHashMap<>();
        for (String d : trainingDomains) domains.put(d, domains.size());
        List<TrainingExample> examples = read(path, domains, false);
        if (examples.isEmpty()) {
            throw new CorpusFormatException(path, 0, "no evaluation examples (" + HOLDS + ")");
        }
        return new ByteDataset(examples, trainingDomains);
    }

    private static List<TrainingExample> read(Path path, Map<String, Integer> domains, boolean addDomains) {
        List<TrainingExample> out = new ArrayList<>();
        CorpusLoader.forEach(path, LoadOptions.defaults(), r -> {
            String domain = r.domain() == null ? DEFAULT_DOMAIN : r.domain();
            Integer id = domains.get(domain);
            if (id == null) {
                if (!addDomains) {
                    throw new CorpusFormatException(r.source(), r.line(), "field \"domain\": domain \""
                            + CorpusFormatException.oneLine(domain.length() > 60 ? domain.substring(0, 60) + "..." : domain)
                            + "\" has no training examples (expected one of the training data's domains)");
                }
                id = domains.size();
                domains.put(domain, id);
            }
            out.add(new TrainingExample(r.text().getBytes(StandardCharsets.UTF_8), id));
        });
        return out;
    }
}
