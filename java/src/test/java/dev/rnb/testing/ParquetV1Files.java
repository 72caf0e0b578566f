package dev.rnb.testing;

import io.airlift.compress.Compressor;
import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.zstd.ZstdCompressor;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.impl.ColumnWriteStoreV1;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageWriteStore;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.ConvertedType;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DictionaryPageHeader;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.Util;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parquet files with version 1 data pages, as pyarrow and parquet-java write
 * by default (the committed fixtures' writer writes version 2 pages): the
 * pages are encoded by parquet-column's own {@link ColumnWriteStoreV1}
 * (plain or dictionary), this class only frames them with page headers,
 * compresses them and writes one row group per call and the footer.
 */
public final class ParquetV1Files {
    private static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("text")
            .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("domain")
            .named("corpus");

    private ParquetV1Files() {}

    /** A file of {@code texts} with {@code domains} (null: none), in row groups of {@code groupRows} rows. */
    public static byte[] write(List<String> texts, List<String> domains, CompressionCodec codec, boolean dictionary, int pageSize, int groupRows) {
        try {
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            file.write(new byte[] {'P', 'A', 'R', '1'});
            List<RowGroup> groups = new ArrayList<>();
            for (int from = 0; from < texts.size(); from += groupRows) {
                int to = Math.min(texts.size(), from + groupRows);
                groups.add(rowGroup(file, texts.subList(from, to), domains.subList(from, to), codec, dictionary, pageSize));
            }
            SchemaElement root = new SchemaElement("corpus");
            root.setNum_children(2);
            List<SchemaElement> schema = List.of(root, column("text", FieldRepetitionType.REQUIRED), column("domain", FieldRepetitionType.OPTIONAL));
            ByteArrayOutputStream footer = new ByteArrayOutputStream();
            Util.writeFileMetaData(new FileMetaData(1, schema, texts.size(), groups), footer);
            footer.writeTo(file);
            file.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footer.size()).array());
            file.write(new byte[] {'P', 'A', 'R', '1'});
            return file.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SchemaElement column(String name, FieldRepetitionType repetition) {
        SchemaElement e = new SchemaElement(name);
        e.setType(Type.BYTE_ARRAY);
        e.setRepetition_type(repetition);
        e.setConverted_type(ConvertedType.UTF8);
        return e;
    }

    private static RowGroup rowGroup(ByteArrayOutputStream file, List<String> texts, List<String> domains, CompressionCodec codec,
                                     boolean dictionary, int pageSize) throws IOException {
        Map<ColumnDescriptor, Chunk> chunks = new LinkedHashMap<>();
        for (ColumnDescriptor c : SCHEMA.getColumns()) chunks.put(c, new Chunk(codec));
        ParquetProperties props = ParquetProperties.builder().withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
                .withDictionaryEncoding(dictionary).withPageSize(pageSize).withPageRowCountLimit(Math.max(1, pageSize / 8)).build();
        ColumnWriteStore store = new ColumnWriteStoreV1(SCHEMA, new PageWriteStore() {
            @Override
            public PageWriter getPageWriter(ColumnDescriptor path) { return chunks.get(path); }
        }, props);
        ColumnDescriptor text = SCHEMA.getColumns().get(0), domain = SCHEMA.getColumns().get(1);
        for (int i = 0; i < texts.size(); i++) {
            store.getColumnWriter(text).write(Binary.fromString(texts.get(i)), 0, 0);
            if (domains.get(i) == null) store.getColumnWriter(domain).writeNull(0, 0);
            else store.getColumnWriter(domain).write(Binary.fromString(domains.get(i)), 0, 1);
            store.endRecord();
        }
        store.flush();
        store.close();
        List<ColumnChunk> columns = new ArrayList<>();
        long total = 0;
        for (Map.Entry<ColumnDescriptor, Chunk> e : chunks.entrySet()) {
            Chunk c = e.getValue();
            long start = file.size();
            c.dictionaryPage.writeTo(file);
            c.dataPages.writeTo(file);
            ColumnMetaData m = new ColumnMetaData(Type.BYTE_ARRAY, new ArrayList<>(c.encodings), List.of(e.getKey().getPath()), codec,
                    c.values, c.uncompressed, c.dictionaryPage.size() + c.dataPages.size(), start + c.dictionaryPage.size());
            if (c.hasDictionary) m.setDictionary_page_offset(start);
            ColumnChunk chunk = new ColumnChunk(start);
            chunk.setMeta_data(m);
            columns.add(chunk);
            total += c.uncompressed;
        }
        return new RowGroup(columns, total, texts.size());
    }

    /** One column chunk's framed pages, as parquet-column hands them over. */
    private static final class Chunk implements PageWriter {
        // parquet-column hands the dictionary over last; the format puts it first.
        final ByteArrayOutputStream dictionaryPage = new ByteArrayOutputStream(), dataPages = new ByteArrayOutputStream();
        final Set<Encoding> encodings = new LinkedHashSet<>();
        final CompressionCodec codec;
        long values, uncompressed;
        boolean hasDictionary;

        Chunk(CompressionCodec codec) { this.codec = codec; }

        private void page(ByteArrayOutputStream bytes, PageHeader h, byte[] body) throws IOException {
            byte[] packed = compress(body);
            h.setUncompressed_page_size(body.length);
            h.setCompressed_page_size(packed.length);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            Util.writePageHeader(h, head);
            uncompressed += head.size() + body.length;
            head.writeTo(bytes);
            bytes.write(packed);
        }

        private byte[] compress(byte[] body) {
            Compressor c = switch (codec) {
                case SNAPPY -> new SnappyCompressor();
                case ZSTD -> new ZstdCompressor();
                case UNCOMPRESSED -> null;
                default -> throw new IllegalArgumentException("codec " + codec);
            };
            if (c == null) return body;
            byte[] out = new byte[c.maxCompressedLength(body.length)];
            int n = c.compress(body, 0, body.length, out, 0, out.length);
            return java.util.Arrays.copyOf(out, n);
        }

        private static Encoding format(org.apache.parquet.column.Encoding e) {
            return Encoding.valueOf(e.name());
        }

        @Override
        public void writePage(BytesInput data, int valueCount, Statistics<?> statistics, org.apache.parquet.column.Encoding rl,
                              org.apache.parquet.column.Encoding dl, org.apache.parquet.column.Encoding values) throws IOException {
            PageHeader h = new PageHeader(PageType.DATA_PAGE, 0, 0);
            h.setData_page_header(new DataPageHeader(valueCount, format(values), format(dl), format(rl)));
            encodings.add(format(values));
            encodings.add(format(dl));
            encodings.add(format(rl));
            this.values += valueCount;
            page(dataPages, h, data.toByteArray());
        }

        @Override
        public void writePage(BytesInput data, int valueCount, int rowCount, Statistics<?> statistics, org.apache.parquet.column.Encoding rl,
                              org.apache.parquet.column.Encoding dl, org.apache.parquet.column.Encoding values) throws IOException {
            writePage(data, valueCount, statistics, rl, dl, values);
        }

        @Override
        public void writePage(BytesInput data, int valueCount, int rowCount, Statistics<?> statistics,
                              org.apache.parquet.column.statistics.SizeStatistics sizes,
                              org.apache.parquet.column.statistics.geospatial.GeospatialStatistics geo, org.apache.parquet.column.Encoding rl,
                              org.apache.parquet.column.Encoding dl, org.apache.parquet.column.Encoding values) throws IOException {
            writePage(data, valueCount, statistics, rl, dl, values);
        }

        @Override
        public void writePageV2(int rowCount, int nullCount, int valueCount, BytesInput repetitionLevels, BytesInput definitionLevels,
                                org.apache.parquet.column.Encoding dataEncoding, BytesInput data, Statistics<?> statistics) {
            throw new UnsupportedOperationException("this test writer makes version 1 pages; the version 2 fixtures are committed files");
        }

        @Override
        public void writeDictionaryPage(DictionaryPage page) throws IOException {
            hasDictionary = true;
            PageHeader h = new PageHeader(PageType.DICTIONARY_PAGE, 0, 0);
            h.setDictionary_page_header(new DictionaryPageHeader(page.getDictionarySize(), format(page.getEncoding())));
            encodings.add(format(page.getEncoding()));
            page(dictionaryPage, h, page.getBytes().toByteArray());
        }

        @Override
        public long getMemSize() { return dataPages.size(); }

        @Override
        public long allocatedSize() { return dataPages.size(); }

        @Override
        public String memUsageString(String prefix) { return prefix + dataPages.size(); }
    }
}
