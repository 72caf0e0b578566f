package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.data.Batch;
import dev.rnb.data.DomainGroups;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.StoredProportions;
import dev.rnb.model.Gpt;
import dev.rnb.train.Trainer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Times the extra work of a strategy (the public hooks wrap the protected
 * ones with a clock that synchronises the device first) and keeps its flop count and current proportions.
 * State is serialised as a format mark, a name tag, the proportions in their
 * own form ({@link StoredProportions}: R&amp;B's sparse p' at many domains in
 * O(t) bytes, not k floats), the counters, then the subclass's own fields.
 */
abstract class AbstractStrategy implements MixingStrategy {
    /**
     * The state's first four bytes ("RNS2"). States of the first format began
     * with the name's length (two bytes, then its first letters) and stored the
     * proportions as k floats; they are refused, saying so.
     */
    private static final int STATE_FORMAT = 0x524E5332;
    protected final String name;
    /** The proportions in force (R&amp;B's sparse under the paper's rule; the other methods' dense). */
    protected DomainProportions current;
    protected long nanos;
    protected double flops;

    AbstractStrategy(String name, float[] initial) {
        this.name = name;
        this.current = DomainProportions.dense(initial);
    }

    /** The number of training domains. */
    protected int domains() { return current.domains(); }

    @Override public final String name() { return name; }

    @Override public float[] initialProportions() { return current.toArray(); }

    @Override
    public final void begin(Trainer trainer) {
        Backend b = trainer.model().backend();
        long t0 = clock(b);
        try {
            doBegin(trainer);
        } finally {
            nanos += clock(b) - t0;
        }
    }

    @Override
    public final void afterBackward(Gpt model, Batch batch) {
        long t0 = clock(model.backend());
        try {
            doAfterBackward(model, batch);
        } finally {
            nanos += clock(model.backend()) - t0;
        }
    }

    @Override
    public final DomainProportions endOfStep(int step, Trainer trainer) {
        Backend b = trainer.model().backend();
        long t0 = clock(b);
        try {
            DomainProportions next = nextProportions(step, trainer);
            if (next != null) {
                current = next;
            }
            return next;
        } finally {
            nanos += clock(b) - t0;
        }
    }

    /**
     * The overhead timers' clock: the device synchronised first, so that work
     * queued before a hook (the step's backward on cuda) is not charged to
     * the strategy, and the strategy's own queued work is.
     */
    protected static long clock(Backend backend) {
        backend.synchronize();
        return System.nanoTime();
    }

    protected void doBegin(Trainer trainer) {}

    protected void doAfterBackward(Gpt model, Batch batch) {}

    /** The next proportions when a round ended, else null: by default {@link #doEndOfStep}'s, dense. */
    protected DomainProportions nextProportions(int step, Trainer trainer) {
        float[] next = doEndOfStep(step, trainer);
        return next == null ? null : DomainProportions.dense(next);
    }

    /** The next proportions (all k) when a round ended, else null (default: a fixed mixture). */
    protected float[] doEndOfStep(int step, Trainer trainer) { return null; }

    /** The proportions currently in force, all k (O(k)). */
    public float[] proportions() { return current.toArray(); }

    @Override public long extraNanos() { return nanos; }

    @Override public double extraFlops() { return flops; }

    @Override
    public final byte[] saveState() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(STATE_FORMAT);
            out.writeUTF(name);
            StoredProportions.write(out, current);
            out.writeLong(nanos);
            out.writeDouble(flops);
            writeOwn(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads what {@link #saveState} wrote. The proportions are read first
     * and bound last, to the groups the subclass's fields restore
     * ({@link RestoredState#groups} of {@link #readOwn}; grouped ones are
     * stored without their groups); nothing is set until the whole state
     * parsed, with no trailing bytes, and the proportions bound: a refused
     * state leaves the strategy as it was.
     */
    @Override
    public final RestoredState readState(byte[] state) {
        if (state.length < Integer.BYTES || ByteBuffer.wrap(state).getInt() != STATE_FORMAT) {
            throw new IllegalArgumentException("the checkpoint's mixing state is not in this rnb's format (a state of an older rnb,"
                    + " which stored the proportions as k floats, cannot be resumed: start the run afresh)");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state, Integer.BYTES, state.length - Integer.BYTES))) {
            String tag = in.readUTF();
            if (!tag.equals(name)) {
                throw new IllegalArgumentException("the checkpoint's mixing state is for " + tag + ", this run uses " + name);
            }
            int at = state.length - in.available();
            ByteBuffer buf = ByteBuffer.wrap(state, at, state.length - at);
            StoredProportions p;
            try {
                p = StoredProportions.read(buf);
            } catch (IOException e) {
                throw new IOException("its proportions: " + e.getMessage(), e);
            }
            if (p.domains() != domains()) {
                throw new IllegalArgumentException("the checkpoint's mixing state has " + p.domains() + " domains, this run has " + domains());
            }
            in.skipNBytes(buf.position() - at);
            long restoredNanos = in.readLong();
            double restoredFlops = in.readDouble();
            RestoredState own = readOwn(in);
            if (in.available() > 0) {
                throw new IllegalArgumentException("the checkpoint's mixing state has " + in.available() + " trailing bytes");
            }
            DomainProportions restored;
            try {
                restored = p.bind(own.groups());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the checkpoint's mixing state's proportions: " + e.getMessage(), e);
            }
            return new RestoredState() {
                @Override
                public void apply() {
                    own.apply();
                    nanos = restoredNanos;
                    flops = restoredFlops;
                    current = restored;
                    proportionsRestored();
                }

                @Override
                public DomainGroups groups() { return own.groups(); }
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("the checkpoint's mixing state is malformed: " + e.getMessage(), e);
        }
    }

    /** After a restored state set {@link #current} (default: nothing; R&amp;B hands them to its balancer). */
    protected void proportionsRestored() {}

    /** Subclass state after the common fields (default: none). */
    protected void writeOwn(DataOutputStream out) throws IOException {}

    /**
     * Reads and checks the subclass's state after the common fields, changing
     * nothing: {@link #readState}'s result applies what this returns only once
     * the whole state was accepted (default: no fields).
     */
    protected RestoredState readOwn(DataInputStream in) throws IOException { return () -> {}; }

    static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        for (float x : v) out.writeFloat(x);
    }

    static float[] readFloats(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available() / Float.BYTES) {
            throw new IOException("array length " + n + " exceeds the state");
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = in.readFloat();
        return v;
    }

    static void writeDoubles(DataOutputStream out, double[] v) throws IOException {
        out.writeInt(v.length);
        for (double x : v) out.writeDouble(x);
    }

    static double[] readDoubles(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available() / Double.BYTES) {
            throw new IOException("array length " + n + " exceeds the state");
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = in.readDouble();
        return v;
    }

    static void writeInts(DataOutputStream out, int[] v) throws IOException {
        out.writeInt(v.length);
        for (int x : v) out.writeInt(x);
    }

    static int[] readInts(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available() / Integer.BYTES) {
            throw new IOException("array length " + n + " exceeds the state");
        }
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = in.readInt();
        return v;
    }

    /** p_i proportional to base_i * exp(eta * score_i), computed stably; zero-base domains stay 0. */
    static float[] exponentiate(float[] base, double[] score, double eta) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < base.length; i++) {
            if (base[i] > 0) max = Math.max(max, eta * score[i]);
        }
        double[] w = new double[base.length];
        double sum = 0;
        for (int i = 0; i < base.length; i++) {
            w[i] = base[i] > 0 ? base[i] * Math.exp(eta * score[i] - max) : 0;
            sum += w[i];
        }
        float[] p = new float[base.length];
        for (int i = 0; i < base.length; i++) p[i] = (float) (w[i] / sum);
        return p;
    }
}
