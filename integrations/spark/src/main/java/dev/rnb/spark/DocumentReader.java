package dev.rnb.spark;

import dev.rnb.data.BadInputException;
import dev.rnb.data.CorpusRecord;
import dev.rnb.data.JsonlRecords;
import dev.rnb.data.LoadOptions;
import dev.rnb.data.Utf8Lines;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Streams the documents of one input file, in order, inside a Spark task. A
 * bad record fails the task, and so the job, with one line naming the file,
 * the line (JSONL) or record (Parquet, 1-based) and the field: no output is
 * written before every input record has been read once (the document
 * frequency pass).
 */
final class DocumentReader implements Iterator<Document>, Closeable {
    /** Reads the next document, or returns null at the end of the file. */
    private interface Source extends Closeable {
        Document next() throws IOException;
    }

    private final String file;
    private final Source source;
    private Document pending;
    private boolean done;

    private DocumentReader(String file, Source source) {
        this.file = file;
        this.source = source;
    }

    static DocumentReader open(InputFiles.InputFile file, int fileIndex, Fields fields, Configuration conf) {
        try {
            return new DocumentReader(file.path(), file.format() == InputFiles.Format.JSONL
                    ? jsonl(file.path(), fileIndex, fields, conf) : parquet(file.path(), fileIndex, fields, conf));
        } catch (IOException e) {
            throw new BadInputException(file.path() + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** The text field and the optional original-domain field. */
    record Fields(String text, String domain) implements java.io.Serializable {}

    private static Source jsonl(String file, int fileIndex, Fields fields, Configuration conf) throws IOException {
        Path path = new Path(file);
        Utf8Lines lines = new Utf8Lines(path.getFileSystem(conf).open(path), file);
        return new Source() {
            @Override
            public Document next() throws IOException {
                for (Utf8Lines.Line line = lines.next(); line != null; line = lines.next()) {
                    if (line.problem() == null && line.text().isBlank()) {
                        continue;
                    }
                    return parseLine(file, fileIndex, line, fields);
                }
                return null;
            }

            @Override
            public void close() throws IOException {
                lines.close();
            }
        };
    }

    /** Core's JSONL rules (rnb regroup reads the same line the same way); the id field is checked but not kept. */
    private static Document parseLine(String file, int fileIndex, Utf8Lines.Line line, Fields fields) {
        CorpusRecord r = JsonlRecords.parseLine(file, line, new LoadOptions(fields.text(), fields.domain(), null, false));
        return new Document(Document.position(fileIndex, line.number()), r.text(), r.domain());
    }

    private static Source parquet(String file, int fileIndex, Fields fields, Configuration conf) throws IOException {
        Path path = new Path(file);
        MessageType schema;
        try (ParquetFileReader footer = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf))) {
            schema = footer.getFooter().getFileMetaData().getSchema();
        }
        checkStringColumn(file, schema, fields.text(), true);
        boolean hasDomain = fields.domain() != null && schema.containsField(fields.domain());
        List<Type> columns = new ArrayList<>();
        columns.add(schema.getType(fields.text()));
        if (hasDomain) {
            checkStringColumn(file, schema, fields.domain(), false);
            columns.add(schema.getType(fields.domain()));
        }
        // Only the text (and domain) columns are read.
        Configuration projected = new Configuration(conf);
        projected.set(ReadSupport.PARQUET_READ_SCHEMA, new MessageType(schema.getName(), columns).toString());
        ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), path).withConf(projected).build();
        return new Source() {
            private long record;

            @Override
            public Document next() throws IOException {
                Group g = reader.read();
                if (g == null) {
                    return null;
                }
                record++;
                if (g.getFieldRepetitionCount(fields.text()) == 0) {
                    throw new BadInputException(file + ": record " + record + ": field \"" + fields.text() + "\" is null");
                }
                String domain = hasDomain && g.getFieldRepetitionCount(fields.domain()) > 0
                        ? g.getValueToString(g.getType().getFieldIndex(fields.domain()), 0) : null;
                return new Document(Document.position(fileIndex, record), g.getString(fields.text(), 0), domain);
            }

            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
    }

    /** A top-level column that holds one string (or, for the domain, an integer) per record. */
    private static void checkStringColumn(String file, MessageType schema, String field, boolean text) {
        if (!schema.containsField(field)) {
            List<String> names = new ArrayList<>();
            for (Type t : schema.getFields()) names.add(t.getName());
            throw new BadInputException(file + ": no column \"" + field + "\" (columns: " + String.join(", ", names) + ")");
        }
        Type t = schema.getType(field);
        boolean ok = t.isPrimitive() && !t.isRepetition(Type.Repetition.REPEATED)
                && (t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY
                || !text && (t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT32
                || t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT64));
        if (!ok) {
            throw new BadInputException(file + ": column \"" + field + "\" must hold " + (text ? "a string" : "a string or an integer")
                    + " per record, found " + t);
        }
    }

    @Override
    public boolean hasNext() {
        if (pending == null && !done) {
            try {
                pending = source.next();
            } catch (IOException e) {
                throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
            }
            if (pending == null) {
                done = true;
                close();
            }
        }
        return pending != null;
    }

    @Override
    public Document next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Document d = pending;
        pending = null;
        return d;
    }

    @Override
    public void close() {
        try {
            source.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
