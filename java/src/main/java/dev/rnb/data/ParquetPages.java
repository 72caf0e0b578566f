package dev.rnb.data;

import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.Util;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * The pages of one column chunk, cut from the chunk's bytes and decompressed
 * for parquet-column's {@code ColumnReaderImpl}, which decodes them
 * (levels, dictionaries, every value encoding). This, and the footer, is the
 * part of a Parquet reader that parquet-hadoop would do with Hadoop's codec
 * classes; codecs here are aircompressor's (snappy, zstd, lz4_raw) and the
 * JDK's (gzip). Sizes a page header claims are checked against the chunk
 * before anything is allocated; a page that does not decompress to its
 * stated size is corrupt. Problems are IllegalStateExceptions, which
 * {@link ParquetRecords} words as bad input.
 */
final class ParquetPages implements PageReader {
    /** The largest page decompressed: 256 MiB (pages are about 1 MiB; one holds at least one whole text). */
    static final int MAX_PAGE_BYTES = 256 << 20;

    private final byte[] chunk;
    private final CompressionCodec codec;
    private final long totalValues;
    private final int minValueBytes;
    private final DictionaryPage dictionary;
    private int position;
    private long valuesRead;
    private PageHeader pending;

    /**
     * @param minValueBytes the fewest bytes one value of this column takes in a
     *                      plain-encoded dictionary (4 for a string's length), to bound a dictionary's claimed size
     */
    ParquetPages(byte[] chunk, CompressionCodec codec, long totalValues, int minValueBytes) {
        this.chunk = chunk;
        this.codec = codec;
        this.totalValues = totalValues;
        this.minValueBytes = minValueBytes;
        PageHeader first = nextHeader();
        if (first != null && first.getType() == org.apache.parquet.format.PageType.DICTIONARY_PAGE) {
            dictionary = dictionaryPage(first);
        } else {
            dictionary = null;
            pending = first;
        }
    }

    @Override
    public DictionaryPage readDictionaryPage() { return dictionary; }

    @Override
    public long getTotalValueCount() { return totalValues; }

    @Override
    public DataPage readPage() {
        while (valuesRead < totalValues) {
            PageHeader h = pending != null ? pending : nextHeader();
            pending = null;
            if (h == null) {
                throw new IllegalStateException("column chunk ends after " + valuesRead + " of its " + totalValues + " values");
            }
            DataPage page;
            switch (h.getType()) {
                case DATA_PAGE: page = dataPageV1(h); break;
                case DATA_PAGE_V2: page = dataPageV2(h); break;
                case DICTIONARY_PAGE: throw new IllegalStateException("a second dictionary page");
                default: position += h.getCompressed_page_size(); continue; // index pages: not needed
            }
            if (page.getValueCount() < 0 || page.getValueCount() > totalValues - valuesRead) {
                throw new IllegalStateException("a page holds " + page.getValueCount() + " values, the chunk only "
                        + (totalValues - valuesRead) + " more");
            }
            valuesRead += page.getValueCount();
            return page;
        }
        return null;
    }

    /** The next page header, its body checked to lie inside the chunk; null at the chunk's end. */
    private PageHeader nextHeader() {
        if (position >= chunk.length) return null;
        ByteArrayInputStream in = new ByteArrayInputStream(chunk, position, chunk.length - position);
        PageHeader h;
        try {
            h = Util.readPageHeader(in);
        } catch (IOException e) {
            throw new IllegalStateException("bad page header (" + e.getMessage() + ")", e);
        }
        position = chunk.length - in.available();
        if (h.getType() == null || h.getCompressed_page_size() < 0 || h.getCompressed_page_size() > chunk.length - position
                || h.getUncompressed_page_size() < 0 || h.getUncompressed_page_size() > MAX_PAGE_BYTES) {
            throw new IllegalStateException("page header claims " + h.getCompressed_page_size() + " bytes ("
                    + h.getUncompressed_page_size() + " uncompressed) with " + (chunk.length - position) + " left in the column chunk");
        }
        return h;
    }

    private DictionaryPage dictionaryPage(PageHeader h) {
        int entries = h.getDictionary_page_header().getNum_values();
        if (entries < 0 || (long) entries * minValueBytes > h.getUncompressed_page_size()) {
            throw new IllegalStateException("dictionary page claims " + entries + " entries in " + h.getUncompressed_page_size() + " bytes");
        }
        byte[] body = body(h, h.getCompressed_page_size(), h.getUncompressed_page_size(), true);
        return new DictionaryPage(BytesInput.from(body), entries, encoding(h.getDictionary_page_header().getEncoding()));
    }

    private DataPage dataPageV1(PageHeader h) {
        DataPageHeader d = h.getData_page_header();
        byte[] body = body(h, h.getCompressed_page_size(), h.getUncompressed_page_size(), true);
        return new DataPageV1(BytesInput.from(body), d.getNum_values(), body.length, null,
                encoding(d.getRepetition_level_encoding()), encoding(d.getDefinition_level_encoding()), encoding(d.getEncoding()));
    }

    /** Version 2 pages keep their levels uncompressed, ahead of the (maybe compressed) values. */
    private DataPage dataPageV2(PageHeader h) {
        DataPageHeaderV2 d = h.getData_page_header_v2();
        int rl = d.getRepetition_levels_byte_length(), dl = d.getDefinition_levels_byte_length();
        int compressed = h.getCompressed_page_size(), uncompressed = h.getUncompressed_page_size();
        if (rl < 0 || dl < 0 || (long) rl + dl > compressed || (long) rl + dl > uncompressed) {
            throw new IllegalStateException("level lengths " + rl + " + " + dl + " exceed the page");
        }
        byte[] levels = Arrays.copyOfRange(chunk, position, position + rl + dl);
        position += rl + dl;
        byte[] values = body(h, compressed - rl - dl, uncompressed - rl - dl, !d.isSetIs_compressed() || d.isIs_compressed());
        return DataPageV2.uncompressed(d.getNum_rows(), d.getNum_nulls(), d.getNum_values(),
                BytesInput.from(levels, 0, rl), BytesInput.from(levels, rl, dl), encoding(d.getEncoding()), BytesInput.from(values), null);
    }

    /** The next {@code compressed} bytes of the chunk, decompressed to exactly {@code uncompressed} bytes. */
    private byte[] body(PageHeader h, int compressed, int uncompressed, boolean isCompressed) {
        int from = position;
        position += compressed;
        if (!isCompressed || codec == CompressionCodec.UNCOMPRESSED) {
            if (compressed != uncompressed) {
                throw new IllegalStateException("an uncompressed page of " + compressed + " bytes claims " + uncompressed);
            }
            return Arrays.copyOfRange(chunk, from, from + compressed);
        }
        byte[] out = new byte[uncompressed];
        int n;
        try {
            switch (codec) {
                case SNAPPY: n = new SnappyDecompressor().decompress(chunk, from, compressed, out, 0, out.length); break;
                case ZSTD: n = new ZstdDecompressor().decompress(chunk, from, compressed, out, 0, out.length); break;
                case LZ4_RAW: n = new Lz4Decompressor().decompress(chunk, from, compressed, out, 0, out.length); break;
                case GZIP: n = gunzip(from, compressed, out); break;
                default: throw new IllegalStateException("compression " + codec + " is not supported (snappy, gzip, zstd, lz4_raw or none are)");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalStateException) throw (IllegalStateException) e;
            throw new IllegalStateException(codec + " page does not decompress (" + e.getMessage() + ")", e);
        }
        if (n != uncompressed) {
            throw new IllegalStateException(codec + " page decompresses to " + n + " bytes, its header says " + uncompressed);
        }
        return out;
    }

    private int gunzip(int from, int length, byte[] out) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(chunk, from, length))) {
            int n = in.readNBytes(out, 0, out.length);
            if (in.read() != -1) {
                throw new IllegalStateException("GZIP page decompresses to more than its header's " + out.length + " bytes");
            }
            return n;
        }
    }

    private static Encoding encoding(org.apache.parquet.format.Encoding e) {
        if (e == null) throw new IllegalStateException("page without an encoding");
        return Encoding.valueOf(e.name());
    }
}
