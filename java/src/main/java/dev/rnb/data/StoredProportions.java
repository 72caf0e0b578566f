package dev.rnb.data;

import java.io.DataOutput;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * {@link DomainProportions} as a checkpoint stores them, in their own form:
 * the one codec of both the training checkpoint (the sampler's proportions)
 * and a mixing strategy's state (the proportions in force). Stored sparse
 * they are O(t) bytes, not O(k): at 10^6 domains R&amp;B's p' under the paper's
 * rule is a few hundred listed values and one shared one, 4 MB as k floats.
 * The grouped form stores its values but not its groups (a k-int map the run
 * has anyway, e.g. in R&amp;B's state): only their fingerprint, so that the
 * groups the run supplies when the proportions are read back
 * ({@link #bind}) are checked to be the same partition.
 *
 * <p>Format (big-endian), after a form byte and k (int):
 * dense (0): k floats; sparse (1): t (int), t listed domains (ints), their t
 * values (floats), the shared value (float); grouped (2): G (int), the
 * groups' {@link DomainGroups#fingerprint} (long), t, t listed domains, their
 * t values, then G floats, group g's value for its members not listed.
 *
 * <p>{@link #read} checks everything that does not need the groups (lengths
 * against the bytes left before allocating, listed domains in range and
 * distinct, values finite and non-negative) and builds nothing the caller
 * sees until all of it passed: a malformed input is an {@link IOException}
 * that says what is wrong, in one line, without naming the file (the caller
 * prefixes which file and field).
 */
public final class StoredProportions {
    private static final byte DENSE = 0, SPARSE = 1, GROUPED = 2;

    private final byte form;
    private final int k;
    /** Dense: the k values. */
    private final float[] dense;
    /** Sparse or grouped: the listed domains (distinct, in [0, k)) and their values. */
    private final int[] listed;
    private final float[] values;
    /** Sparse: every other domain's value. */
    private final float rest;
    /** Grouped: each group's value, and the groups' fingerprint. */
    private final float[] groupRests;
    private final long groupsFingerprint;

    private StoredProportions(byte form, int k, float[] dense, int[] listed, float[] values, float rest,
                              float[] groupRests, long groupsFingerprint) {
        this.form = form;
        this.k = k;
        this.dense = dense;
        this.listed = listed;
        this.values = values;
        this.rest = rest;
        this.groupRests = groupRests;
        this.groupsFingerprint = groupsFingerprint;
    }

    /** {@code p} in its own form (O(t + G) sparse or grouped, O(k) dense: copies). */
    public static StoredProportions of(DomainProportions p) {
        if (p.domains() < 1) throw new IllegalArgumentException("proportions over " + p.domains() + " domains cannot be stored");
        if (!p.isSparse()) return new StoredProportions(DENSE, p.domains(), p.toArray(), null, null, 0f, null, 0L);
        int t = p.listedCount();
        int[] ids = new int[t];
        float[] v = new float[t];
        for (int i = 0; i < t; i++) {
            ids[i] = p.listedDomain(i);
            v[i] = p.listedValue(i);
        }
        if (!p.isGrouped()) return new StoredProportions(SPARSE, p.domains(), null, ids, v, p.rest(), null, 0L);
        DomainGroups groups = p.groups();
        float[] rests = new float[groups.groups()];
        for (int g = 0; g < rests.length; g++) rests[g] = p.groupRest(g);
        return new StoredProportions(GROUPED, p.domains(), null, ids, v, 0f, rests, groups.fingerprint());
    }

    /** k. */
    public int domains() { return k; }

    /**
     * The proportions, grouped by {@code groups} where they were stored
     * grouped (then {@code groups} must be the same partition as at writing:
     * same k, same G, same fingerprint); dense and sparse ones ignore it.
     * Throws IllegalArgumentException, saying what differs, otherwise.
     */
    public DomainProportions bind(DomainGroups groups) {
        switch (form) {
            case DENSE:
                return DomainProportions.dense(dense);
            case SPARSE:
                return DomainProportions.sparse(k, listed, values, rest);
            default:
                if (groups == null) {
                    throw new IllegalArgumentException("the proportions are grouped by " + groupRests.length
                            + " groups of " + k + " domains, and this run has no groups (R&B over groups, rnb:hier)");
                }
                if (groups.domains() != k || groups.groups() != groupRests.length || groups.fingerprint() != groupsFingerprint) {
                    throw new IllegalArgumentException("the proportions are grouped by " + groupRests.length + " groups of " + k
                            + " domains (fingerprint " + Long.toHexString(groupsFingerprint) + "), this run's groups are "
                            + groups.groups() + " of " + groups.domains() + " (fingerprint " + Long.toHexString(groups.fingerprint())
                            + "): another partition");
                }
                return DomainProportions.grouped(groups, listed, values, groupRests);
        }
    }

    /** Writes {@code p} in its own form (see the class comment). */
    public static void write(DataOutput out, DomainProportions p) throws IOException {
        of(p).write(out);
    }

    /** Writes these proportions (see the class comment). */
    public void write(DataOutput out) throws IOException {
        out.writeByte(form);
        out.writeInt(k);
        switch (form) {
            case DENSE -> out.write(floatBytes(dense));
            case SPARSE -> {
                writeListed(out);
                out.writeFloat(rest);
            }
            default -> {
                out.writeInt(groupRests.length);
                out.writeLong(groupsFingerprint);
                writeListed(out);
                out.write(floatBytes(groupRests));
            }
        }
    }

    private void writeListed(DataOutput out) throws IOException {
        out.writeInt(listed.length);
        ByteBuffer buf = ByteBuffer.allocate(listed.length * Integer.BYTES).order(ByteOrder.BIG_ENDIAN);
        buf.asIntBuffer().put(listed);
        out.write(buf.array());
        out.write(floatBytes(values));
    }

    private static byte[] floatBytes(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.BIG_ENDIAN);
        buf.asFloatBuffer().put(v);
        return buf.array();
    }

    /**
     * Reads what {@link #write} wrote from {@code in}'s position (big-endian),
     * leaving the position after it. Malformed or cut short: an IOException
     * saying so (in's position then undefined).
     */
    public static StoredProportions read(ByteBuffer in) throws IOException {
        try {
            byte form = in.get();
            if (form != DENSE && form != SPARSE && form != GROUPED) {
                throw new IOException("the proportions' form is " + form + ", not 0 (dense), 1 (sparse) or 2 (grouped)");
            }
            int k = domains(in);
            if (form == DENSE) return dense(in, k);
            int groups = 0;
            long fingerprint = 0L;
            if (form == GROUPED) {
                groups = in.getInt();
                if (groups < 1 || groups > k) throw new IOException(groups + " groups of " + k + " domains");
                fingerprint = in.getLong();
            }
            int t = in.getInt();
            if (t < 0 || t > k) throw new IOException(t + " listed domains of " + k);
            int[] ids = ints(in, t);
            float[] values = floats(in, t, "listed values");
            checkListed(ids, k);
            for (int i = 0; i < t; i++) checkValue(ids[i], values[i]);
            if (form == SPARSE) {
                float rest = in.getFloat();
                checkValue(-1, rest);
                return new StoredProportions(SPARSE, k, null, ids, values, rest, null, 0L);
            }
            float[] rests = floats(in, groups, "group values");
            for (float r : rests) checkValue(-1, r);
            return new StoredProportions(GROUPED, k, null, ids, values, 0f, rests, fingerprint);
        } catch (BufferUnderflowException e) { // has no message of its own
            throw new IOException("the proportions end before their fields do", e);
        }
    }

    /**
     * Reads proportions as checkpoints of the first format stored them (k,
     * then k floats: the dense form's fields without its form byte), checked
     * as {@link #read} checks the dense form.
     */
    public static StoredProportions readFirstFormat(ByteBuffer in) throws IOException {
        try {
            return dense(in, domains(in));
        } catch (BufferUnderflowException e) {
            throw new IOException("the proportions end before their fields do", e);
        }
    }

    private static int domains(ByteBuffer in) throws IOException {
        int k = in.getInt();
        if (k < 1) throw new IOException("the proportions are over " + k + " domains");
        return k;
    }

    private static StoredProportions dense(ByteBuffer in, int k) throws IOException {
        float[] p = floats(in, k, "values");
        for (int d = 0; d < k; d++) checkValue(d, p[d]);
        return new StoredProportions(DENSE, k, p, null, null, 0f, null, 0L);
    }

    private static float[] floats(ByteBuffer in, int n, String what) throws IOException {
        if ((long) n * Float.BYTES > in.remaining()) {
            throw new IOException(n + " " + what + " exceed the " + in.remaining() + " bytes left");
        }
        float[] v = new float[n];
        in.asFloatBuffer().get(v);
        in.position(in.position() + n * Float.BYTES);
        return v;
    }

    private static int[] ints(ByteBuffer in, int n) throws IOException {
        if ((long) n * Integer.BYTES > in.remaining()) {
            throw new IOException(n + " listed domains exceed the " + in.remaining() + " bytes left");
        }
        int[] v = new int[n];
        in.asIntBuffer().get(v);
        in.position(in.position() + n * Integer.BYTES);
        return v;
    }

    /** Listed domains in [0, k) and distinct (a sorted copy: O(t log t), no k-sized table). */
    private static void checkListed(int[] ids, int k) throws IOException {
        for (int d : ids) {
            if (d < 0 || d >= k) throw new IOException("listed domain " + d + " is not in [0, " + k + ")");
        }
        int[] sorted = ids.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) throw new IOException("domain " + sorted[i] + " is listed twice");
        }
    }

    /** A proportion is finite and non-negative (domain -1: a shared value). */
    private static void checkValue(int domain, float v) throws IOException {
        if (!(v >= 0) || !Float.isFinite(v)) {
            throw new IOException((domain < 0 ? "a shared proportion" : "the proportion of domain " + domain) + " is " + v);
        }
    }
}
