package dev.rnb.spark;

import java.io.Serializable;

/**
 * One corpus record as the job carries it.
 *
 * @param position where it was read: input file index in the high 24 bits, record index in that file below,
 *                 so positions sort in input order (files in path order, records in file order)
 * @param domain   the original domain, or null when the input names none
 */
public record Document(long position, String text, String domain) implements Serializable {
    static final int RECORD_BITS = 40;

    static long position(int fileIndex, long recordIndex) {
        return ((long) fileIndex << RECORD_BITS) | recordIndex;
    }
}
