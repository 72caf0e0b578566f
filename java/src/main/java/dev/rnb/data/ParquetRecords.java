package dev.rnb.data;

import org.apache.parquet.VersionParser;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.impl.ColumnReaderImpl;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.Util;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Types;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * A Parquet corpus: one example per row, the text in the top-level string
 * column {@link LoadOptions#textField()}, the original domain in the optional
 * column {@link LoadOptions#domainField()} (string or integer; a null or a
 * missing column means none), a record id in an optional "id" column. Other
 * columns are not read. The footer is parsed with parquet-format's Thrift
 * classes and the pages decoded with parquet-column ({@link ParquetPages});
 * parquet-hadoop, and so Hadoop, is not needed. A row with a null text or
 * invalid UTF-8 is a bad line (skippable, named by its 1-based row number);
 * a corrupt file is bad input that cannot be skipped. Embeddings are not read
 * from Parquet: they come from a .npy file.
 */
final class ParquetRecords {
    private static final int MAGIC = 0x31524150; // "PAR1", little-endian
    private static final String ID_COLUMN = "id";
    /**
     * More rows than this per byte of a column chunk is a corrupt count, not
     * data: common writers cap a page at 20 000 rows and each page costs a
     * header of tens of bytes, so even one repeated value stays under 1 000
     * rows per byte; the bound keeps a forged row count from costing minutes
     * or gigabytes.
     */
    private static final long MAX_ROWS_PER_BYTE = 4096;

    private ParquetRecords() {}

    /** A top-level column: its position among the leaf columns and its schema element. */
    private record Column(String name, int index, SchemaElement element) {}

    static long read(Path file, LoadOptions options, Consumer<CorpusRecord> sink) {
        if (options.embeddingField() != null) {
            throw new CorpusFormatException(file, 0, "embeddings are not read from Parquet (field \"" + options.embeddingField()
                    + "\"): give them as a .npy file (--train-embeddings)");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            FileMetaData meta = footer(file, ch);
            List<SchemaElement> schema = meta.getSchema();
            Column text = column(file, schema, options.textField(), true);
            Column domain = options.domainField() == null ? null : column(file, schema, options.domainField(), false);
            Column id = column(file, schema, ID_COLUMN, false);
            VersionParser.ParsedVersion writer = writer(meta.getCreated_by());
            RecordIds ids = new RecordIds(file);
            long row = 0, skipped = 0;
            List<RowGroup> groups = meta.getRow_groups() == null ? List.of() : meta.getRow_groups();
            for (int g = 0; g < groups.size(); g++) {
                RowGroup group = groups.get(g);
                int rows = rowCount(file, group, g, row);
                String[] texts = values(file, ch, group, g, text, rows, writer);
                String[] domains = domain == null ? new String[rows] : values(file, ch, group, g, domain, rows, writer);
                String[] keys = id == null ? new String[rows] : values(file, ch, group, g, id, rows, writer);
                for (int i = 0; i < rows; i++) {
                    row++;
                    CorpusRecord r;
                    try {
                        if (texts[i] == null) {
                            throw new CorpusFormatException(file, row, "column \"" + text.name() + "\" is null or not UTF-8");
                        }
                        r = new CorpusRecord(file, row, texts[i], domains[i], keys[i], null);
                        ids.check(r, "row");
                    } catch (CorpusFormatException e) {
                        if (!options.skipBadLines()) throw e;
                        skipped++;
                        continue;
                    }
                    sink.accept(r);
                }
            }
            return skipped;
        } catch (IOException e) {
            throw CorpusFormatException.unreadable(file, e);
        }
    }

    private static FileMetaData footer(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        if (size < 12 || ch.read(tail, size - 8) != 8 || tail.getInt(4) != MAGIC) {
            throw new CorpusFormatException(file, 0, "not a Parquet file (no PAR1 at its end: truncated?)");
        }
        int length = tail.getInt(0);
        if (length <= 0 || length > size - 12) {
            throw new CorpusFormatException(file, 0, "Parquet footer length " + length + " does not fit a file of " + size + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        readFully(file, ch, b, size - 8 - length);
        try {
            return Util.readFileMetaData(new ByteArrayInputStream(b.array()));
        } catch (IOException | RuntimeException e) {
            throw new CorpusFormatException(file, 0, "corrupt Parquet footer (" + reason(e) + ")");
        }
    }

    /** The top-level column {@code name}: a string (or, unless it holds text, integer) column that is not repeated. */
    private static Column column(Path file, List<SchemaElement> schema, String name, boolean isText) {
        if (schema == null || schema.isEmpty()) {
            throw new CorpusFormatException(file, 0, "Parquet footer has no schema");
        }
        int[] next = {1}, leaf = {0};
        int children = schema.get(0).getNum_children();
        for (int c = 0; c < children; c++) {
            if (next[0] >= schema.size()) throw new CorpusFormatException(file, 0, "Parquet schema is cut short");
            SchemaElement e = schema.get(next[0]);
            int index = leaf[0];
            skipSubtree(file, schema, next, leaf);
            if (!name.equals(e.getName())) continue;
            boolean string = e.getType() == Type.BYTE_ARRAY, integer = e.getType() == Type.INT32 || e.getType() == Type.INT64;
            if (e.getNum_children() > 0 || e.getRepetition_type() == FieldRepetitionType.REPEATED || !(string || (integer && !isText))) {
                throw new CorpusFormatException(file, 0, "column \"" + CorpusFormatException.oneLine(name) + "\" must be a "
                        + (isText ? "string" : "string or integer") + " column, not " + (e.getNum_children() > 0 ? "a group"
                        : e.getRepetition_type() == FieldRepetitionType.REPEATED ? "a repeated " + e.getType() : String.valueOf(e.getType())));
            }
            return new Column(name, index, e);
        }
        if (isText) {
            throw new CorpusFormatException(file, 0, "no column \"" + CorpusFormatException.oneLine(name) + "\" (the text; see --text-field)");
        }
        return null;
    }

    /** Moves {@code next} past the schema subtree it points at, counting its leaf columns into {@code leaf}. */
    private static void skipSubtree(Path file, List<SchemaElement> schema, int[] next, int[] leaf) {
        int pending = 1;
        while (pending > 0) {
            if (next[0] >= schema.size()) throw new CorpusFormatException(file, 0, "Parquet schema is cut short");
            int children = schema.get(next[0]++).getNum_children();
            if (children <= 0) leaf[0]++;
            else pending += children;
            pending--;
        }
    }

    private static int rowCount(Path file, RowGroup group, int g, long before) {
        long rows = group.getNum_rows();
        if (rows < 0 || before + rows > Integer.MAX_VALUE - 8) {
            throw new CorpusFormatException(file, 0, "row group " + g + " claims " + rows + " rows (after " + before + ")");
        }
        return (int) rows;
    }

    /** The values of one column in one row group as text; null for a null or a string that is not UTF-8. */
    private static String[] values(Path file, FileChannel ch, RowGroup group, int g, Column c, int rows,
                                   VersionParser.ParsedVersion writer) throws IOException {
        String where = "column \"" + CorpusFormatException.oneLine(c.name()) + "\" of row group " + g;
        List<ColumnChunk> chunks = group.getColumns();
        if (chunks == null || c.index() >= chunks.size() || chunks.get(c.index()).getMeta_data() == null) {
            throw new CorpusFormatException(file, 0, where + " is missing");
        }
        ColumnMetaData m = chunks.get(c.index()).getMeta_data();
        long start = m.isSetDictionary_page_offset() && m.getDictionary_page_offset() > 0
                ? Math.min(m.getDictionary_page_offset(), m.getData_page_offset()) : m.getData_page_offset();
        long length = m.getTotal_compressed_size();
        if (m.getNum_values() != rows || start < 4 || length < 0 || length > Integer.MAX_VALUE - 8 || start + length > ch.size() - 8) {
            throw new CorpusFormatException(file, 0, where + ": " + m.getNum_values() + " values for " + rows + " rows, "
                    + length + " bytes at offset " + start + " in a file of " + ch.size());
        }
        if (rows > MAX_ROWS_PER_BYTE * Math.max(length, 1)) {
            throw new CorpusFormatException(file, 0, where + " claims " + rows + " rows in " + length + " bytes");
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) length);
        readFully(file, ch, bytes, start);
        boolean optional = c.element().getRepetition_type() != FieldRepetitionType.REQUIRED;
        PrimitiveType.PrimitiveTypeName physical = switch (c.element().getType()) {
            case INT32 -> PrimitiveType.PrimitiveTypeName.INT32;
            case INT64 -> PrimitiveType.PrimitiveTypeName.INT64;
            default -> PrimitiveType.PrimitiveTypeName.BINARY;
        };
        PrimitiveType type = Types.primitive(physical,
                optional ? org.apache.parquet.schema.Type.Repetition.OPTIONAL : org.apache.parquet.schema.Type.Repetition.REQUIRED).named(c.name());
        ColumnDescriptor descriptor = new ColumnDescriptor(new String[] {c.name()}, type, 0, optional ? 1 : 0);
        String[] out = new String[rows];
        try {
            ParquetPages pages = new ParquetPages(bytes.array(), m.getCodec(), rows, c.element().getType() == Type.INT64 ? 8 : 4);
            ColumnReaderImpl reader = new ColumnReaderImpl(descriptor, pages, new PrimitiveConverter() {}, writer);
            for (int i = 0; i < rows; i++) {
                if (reader.getCurrentDefinitionLevel() == descriptor.getMaxDefinitionLevel()) {
                    out[i] = switch (c.element().getType()) {
                        case INT32 -> Integer.toString(reader.getInteger());
                        case INT64 -> Long.toString(reader.getLong());
                        default -> utf8(reader.getBinary());
                    };
                }
                reader.consume();
            }
        } catch (CorpusFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            // parquet-column signals corrupt pages with assorted unchecked exceptions
            // (ParquetDecodingException, IllegalArgumentException, index errors).
            throw new CorpusFormatException(file, 0, "corrupt Parquet data in " + where + " (" + reason(e) + ")");
        }
        return out;
    }

    private static String utf8(Binary b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b.toByteBuffer()).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static VersionParser.ParsedVersion writer(String createdBy) {
        try {
            return createdBy == null ? null : VersionParser.parse(createdBy);
        } catch (VersionParser.VersionParseException | RuntimeException e) {
            return null;
        }
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new CorpusFormatException(file, 0, "ends early: changed while being read");
            }
        }
    }

    private static String reason(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return CorpusFormatException.oneLine(m.length() > 200 ? m.substring(0, 200) + "..." : m);
    }
}
