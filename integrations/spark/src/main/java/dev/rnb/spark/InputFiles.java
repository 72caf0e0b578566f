package dev.rnb.spark;

import dev.rnb.data.BadInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The files of a corpus argument: one file, a directory (its .jsonl, .json,
 * .ndjson and .parquet files, not recursive) or a glob, on any Hadoop file
 * system (local, HDFS, S3 through its connector), sorted by path. Each file
 * becomes one partition, read in order, so input order is file order, then
 * record order; corpora of 10^8+ documents come in many shards, which is the
 * job's parallelism.
 */
final class InputFiles {
    enum Format { JSONL, PARQUET }

    record InputFile(String path, Format format) implements java.io.Serializable {}

    private InputFiles() {}

    static List<InputFile> list(String argument, Configuration conf) {
        Path path = new Path(argument);
        FileStatus[] found;
        try {
            FileSystem fs = path.getFileSystem(conf);
            found = fs.globStatus(path);
            if (found != null && found.length == 1 && found[0].isDirectory()) {
                found = fs.listStatus(found[0].getPath());
            }
        } catch (IOException e) {
            throw new BadInputException(argument + ": cannot list (" + e.getMessage() + ")");
        }
        if (found == null || found.length == 0) {
            throw new BadInputException(argument + ": no such file or directory");
        }
        List<InputFile> files = new ArrayList<>();
        Arrays.sort(found, Comparator.comparing(s -> s.getPath().toString()));
        for (FileStatus s : found) {
            if (s.isDirectory()) {
                continue;
            }
            String name = s.getPath().getName().toLowerCase(Locale.ROOT);
            if (name.endsWith(".parquet")) {
                files.add(new InputFile(s.getPath().toString(), Format.PARQUET));
            } else if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) {
                files.add(new InputFile(s.getPath().toString(), Format.JSONL));
            } else if (found.length == 1) {
                throw new BadInputException(s.getPath() + ": unknown corpus format (expected .jsonl, .json, .ndjson or .parquet)");
            }
        }
        if (files.isEmpty()) {
            throw new BadInputException(argument + ": no .jsonl, .json, .ndjson or .parquet files");
        }
        if (files.size() >= 1 << (63 - Document.RECORD_BITS)) {
            throw new BadInputException(argument + ": " + files.size() + " files; at most " + ((1 << (63 - Document.RECORD_BITS)) - 1));
        }
        return files;
    }
}
