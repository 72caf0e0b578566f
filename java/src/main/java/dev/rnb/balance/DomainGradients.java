package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceOps;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.SketchHash;
import dev.rnb.backend.Tensor;

import java.util.Arrays;
import java.util.BitSet;

/**
 * Per-domain final-layer gradients accumulated over a round, in the backend's
 * memory: exact (v x h floats per domain), CountSketched (r floats per
 * domain) or factored-sketched (rv x rh floats per domain), plus the row
 * count of every domain. Sketches give unbiased inner products
 * (docs/ARCHITECTURE.md, "The sketches"); each round draws its sketch from a
 * fresh seed (a hash of the base seed and the round number), so the sketch
 * error averages out over rounds instead of being one fixed bias for the run.
 *
 * <p>Sparse: only the domains a round touches hold an accumulator. The first
 * row of a domain in a round gives it the next free slot; slot s's block of
 * {@link #dimension()} floats holds domain {@link #domainOfSlot}(s). So a
 * batch's work (grouping its rows, the kernels, the counts), the end of a
 * round ({@code G p} over {@link #slots()} blocks) and the reset (zeroing
 * the used blocks) are proportional to the domains touched, not to k; the
 * slot buffer grows by doubling, up to k blocks, and is kept across rounds,
 * on huge pages where the backend has them ({@link Backend#allocateHugePaged}:
 * at r = 1024 a slot's row is a 4 KiB page, one TLB miss a fresh row).
 * The domain-to-slot map is a hash table over the touched domains
 * ({@link SlotTable}), emptied in O(1): nothing here is O(k). Not
 * thread-safe: one caller at a time, like its backend.
 */
public final class DomainGradients implements AutoCloseable {
    private static final int INITIAL_SLOTS = 64;

    private final Backend backend;
    private final int domains;
    private final int hDim;
    private final int vDim;
    private final SketchSpec spec;
    private final int baseSeed;
    private final FactoredProjection projection;
    private int round;
    private int roundSeed;
    /** CountSketch: the row blocks this round's coordinates reach (null: all), see {@link SketchLines}. */
    private int[] liveBlocks;
    /** Rows were uploaded this round (a restore): they may hold anything outside the live blocks. */
    private boolean restored;
    private final SlotTable slotOfDomain = new SlotTable();
    private int[] domainOfSlot;
    private long[] slotCounts;
    private int used;
    private Tensor gradients;
    private final DomainSegments.Builder grouping = new DomainSegments.Builder();

    /**
     * @param sketchSize 0 for exact gradients, else the sketch size r (floats per domain)
     * @param seed       seed of the sketch's hash
     */
    public DomainGradients(Backend backend, int domains, int hDim, int vDim, int sketchSize, long seed) {
        this(backend, domains, hDim, vDim, SketchSpec.count(sketchSize), seed);
    }

    /**
     * @param spec exact, CountSketch or factored sketch
     * @param seed base seed of the sketches (each round's seed is drawn from it)
     */
    public DomainGradients(Backend backend, int domains, int hDim, int vDim, SketchSpec spec, long seed) {
        if (domains < 1) {
            throw new IllegalArgumentException("domains must be >= 1, got " + domains);
        }
        if (hDim < 1 || vDim < 1) {
            throw new IllegalArgumentException("hidden and vocab widths must be >= 1, got h=" + hDim + " v=" + vDim);
        }
        this.backend = backend;
        this.domains = domains;
        this.hDim = hDim;
        this.vDim = vDim;
        if ((long) hDim * vDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("v*h = " + (long) hDim * vDim + " exceeds 2^31-1 coordinates");
        }
        this.spec = spec;
        this.baseSeed = (int) (seed ^ (seed >>> 32));
        this.projection = spec.kind() == SketchSpec.Kind.FACTORED
                ? new FactoredProjection(backend, hDim, vDim, spec.rv(), spec.rh()) : null;
        int capacity = Math.min(domains, INITIAL_SLOTS);
        slotOfDomain.reserve(capacity);
        this.domainOfSlot = new int[capacity];
        this.slotCounts = new long[capacity];
        this.gradients = backend.allocateHugePaged((long) capacity * dimension());
        startRound(0);
    }

    /** Floats per domain: v*h exact, r CountSketched, rv*rh factored. */
    public long dimension() {
        return spec.dimension(vDim, hDim);
    }

    public boolean sketched() { return spec.kind() != SketchSpec.Kind.EXACT; }

    public SketchSpec spec() { return spec; }

    /** The round the accumulators belong to (0 first; {@link #reset} advances it). */
    public int round() { return round; }

    /**
     * Empties the accumulators and makes them belong to round {@code n}:
     * draws that round's sketch seed (and projections). For a resume from a
     * checkpoint, before {@link #restoreSlot}; replicas of
     * one run agree on it by construction.
     */
    public void startRound(int n) {
        clear();
        begin(n);
    }

    private void begin(int n) {
        round = n;
        roundSeed = SketchHash.hash(n, baseSeed);
        liveBlocks = spec.kind() == SketchSpec.Kind.COUNT ? SketchLines.live((long) vDim * hDim, spec.r(), roundSeed) : null;
        restored = false;
        if (projection != null) {
            projection.draw(roundSeed);
        }
    }

    public int domains() { return domains; }

    /**
     * Floats of a touched domain's block that this round's accumulation can
     * write, whole cache lines counted: {@link #dimension()} except for a
     * CountSketch whose coordinates miss some of a row's lines ({@link SketchLines}).
     */
    public long liveFloats() {
        return liveBlocks == null ? dimension() : (long) liveBlocks.length * BalanceOps.LIVE_BLOCK;
    }

    /** Domains touched this round so far: the used slots. */
    public int slots() { return used; }

    /** The domain whose accumulator is slot s (0 &lt;= s &lt; {@link #slots()}). */
    public int domainOfSlot(int s) {
        if (s < 0 || s >= used) {
            throw new IndexOutOfBoundsException("slot " + s + " of " + used);
        }
        return domainOfSlot[s];
    }

    /** The touched domains, in slot order. */
    public int[] touchedDomains() { return Arrays.copyOf(domainOfSlot, used); }

    /**
     * Adds one batch: H (rows x h) and E (rows x v) in the backend's memory,
     * the domain of every row on the host. Returns the number of distinct
     * domains among the batch's rows (its segments: no extra pass).
     */
    public int accumulate(Tensor h, Tensor e, int rows, int[] domainOfRow) {
        DomainSegments segments = segmentsBySlot(domainOfRow, rows);
        switch (spec.kind()) {
            case EXACT -> backend.domainGradAccumulate(h, e, hDim, vDim, segments, gradients);
            case COUNT -> backend.domainGradSketchAccumulate(h, e, hDim, vDim, segments, spec.r(), roundSeed, gradients);
            case FACTORED -> projection.accumulate(h, e, segments, gradients);
        }
        count(segments);
        return segments.segmentCount();
    }

    /**
     * As {@link #accumulate}, and headGrad (v x h) += E^T H over the batch's
     * rows: exact gradients form both from the same multiply-adds (one GEMM
     * per domain segment, no second GEMM over the rows); sketched ones run
     * the head's GEMM and then the sketch (CountSketch forms the pieces
     * again; the factored sketch projects E and H). Returns the number of
     * distinct domains among the batch's rows, as {@link #accumulate}.
     */
    public int accumulateWithHead(Tensor h, Tensor e, int rows, int[] domainOfRow, Tensor headGrad) {
        if (sketched()) {
            backend.gemm(true, false, vDim, hDim, rows, 1f, e, vDim, h, hDim, 1f, headGrad, hDim);
            return accumulate(h, e, rows, domainOfRow);
        }
        DomainSegments segments = segmentsBySlot(domainOfRow, rows);
        backend.domainGradAccumulateWithHead(h, e, hDim, vDim, segments, gradients, headGrad);
        count(segments);
        return segments.segmentCount();
    }

    /**
     * The batch's rows grouped by slot (a new domain takes the next slot):
     * one pass over the rows finds the runs of one domain (a trainer's batch
     * comes as a run per sequence) and checks their ids, then one pass over
     * the runs maps each id to its slot, then the runs are grouped
     * (O(runs log runs); the grouping's scratch is kept). On a bad id nothing
     * changes: no slot is taken before every id is checked.
     */
    private DomainSegments segmentsBySlot(int[] domainOfRow, int rows) {
        DomainSegments.checkRows(domainOfRow, rows);
        grouping.clear();
        for (int r = 0; r < rows; ) {
            int d = domainOfRow[r];
            if (d < 0 || d >= domains) {
                grouping.clear();
                throw DomainSegments.outside(r, d, domains);
            }
            grouping.run(r, d);
            // the run's end: where the ids stop equalling their predecessors (a vectorized compare of the
            // ids against themselves shifted by one; one call a run, not one branch a row)
            int end = Arrays.mismatch(domainOfRow, r, rows - 1, domainOfRow, r + 1, rows);
            r += end < 0 ? rows - r : end + 1;
        }
        int usedBefore = used; // the slots this batch's new domains take are usedBefore .. used - 1: its fresh rows
        grouping.relabel(this::slotOf);
        return grouping.build(rows, Math.max(1, used), usedBefore);
    }

    /** The domain's slot, taking the next one at its first row this round. */
    private int slotOf(int domain) {
        int slot = slotOfDomain.find(domain);
        return slot >= 0 ? slot : takeSlot(domain, ~slot);
    }

    /** Gives the domain the next slot; {@code at}: where {@link SlotTable#find} said it goes. */
    private int takeSlot(int domain, int at) {
        if (used == domainOfSlot.length) {
            grow();
            at = ~slotOfDomain.find(domain); // the table was rebuilt larger
        }
        domainOfSlot[used] = domain;
        slotOfDomain.put(at, domain, used);
        return used++;
    }

    /** Doubles the slot buffer (at most k blocks), keeping the used blocks. */
    private void grow() {
        int capacity = (int) Math.min(domains, 2L * domainOfSlot.length);
        Tensor bigger = backend.allocateHugePaged((long) capacity * dimension());
        if (used > 0) {
            backend.copy(gradients, 0, bigger, 0, (long) used * dimension());
        }
        gradients.close();
        gradients = bigger;
        domainOfSlot = Arrays.copyOf(domainOfSlot, capacity);
        slotCounts = Arrays.copyOf(slotCounts, capacity);
        slotOfDomain.reserve(capacity);
    }

    private void count(DomainSegments segments) {
        int[] start = segments.segmentStarts();
        int[] slot = segments.segmentDomains();
        for (int s = 0; s < slot.length; s++) {
            slotCounts[slot[s]] += start[s + 1] - start[s];
        }
    }

    /** Rows seen per domain this round (length k). */
    public long[] counts() {
        long[] counts = new long[domains];
        for (int s = 0; s < used; s++) {
            counts[domainOfSlot[s]] = slotCounts[s];
        }
        return counts;
    }

    /** Rows seen per used slot this round (length {@link #slots()}). */
    public long[] slotCounts() { return Arrays.copyOf(slotCounts, used); }

    /**
     * The slot buffer in the backend's memory: at least slots() x dimension()
     * floats, block s holding domain domainOfSlot(s)'s accumulator.
     */
    public Tensor gradients() { return gradients; }

    /** 1/n per used slot: the scale G is built with, over the touched domains. */
    public float[] inverseSlotCounts() {
        float[] scale = new float[used];
        for (int s = 0; s < used; s++) {
            scale[s] = (float) (1.0 / slotCounts[s]);
        }
        return scale;
    }

    /** The round's accumulated gradients on the host as k x dimension() (absent domains zero): a dense view, O(k). */
    public float[] toHost() {
        long d = dimension();
        float[] g = new float[Math.toIntExact(domains * d)];
        for (int s = 0; s < used; s++) {
            backend.download(gradients, s * d, g, Math.toIntExact(domainOfSlot[s] * d), (int) d);
        }
        return g;
    }

    /** The touched slots on the host, in slot order, e.g. for a reducer: one download of slots() x dimension() floats. */
    public TouchedSlots touched() {
        float[] blocks = new float[Math.toIntExact(used * dimension())];
        if (used > 0) {
            backend.download(gradients, 0, blocks, 0, blocks.length);
        }
        return new TouchedSlots(domains, dimension(), touchedDomains(), slotCounts(), blocks);
    }

    /**
     * Replaces the round's accumulators with these, slot i holding listed
     * domain i (one upload): O(listed x dimension()). The domains must be
     * ascending, so a reducer's result has one slot order whatever the
     * replicas' orders were (the order a dense k x d restore gave, so G p is
     * the same to the bit). On bad input nothing changes.
     */
    public void restoreTouched(TouchedSlots t) {
        if (t.domainCount() != domains || t.dimension() != dimension()) {
            throw new IllegalArgumentException("cannot restore " + t.domainCount() + " domains of " + t.dimension()
                    + " floats into " + domains + " of " + dimension());
        }
        int[] listed = t.domains();
        for (int i = 0; i < listed.length; i++) {
            if (listed[i] < 0 || listed[i] >= domains || (i > 0 && listed[i] <= listed[i - 1]) || t.counts()[i] < 1) {
                throw new IllegalArgumentException("cannot restore domain " + listed[i] + " with count " + t.counts()[i]
                        + " at position " + i + ": domains must be ascending, below " + domains + ", counts >= 1");
            }
        }
        clear();
        while (domainOfSlot.length < listed.length) {
            grow();
        }
        for (int i = 0; i < listed.length; i++) {
            takeSlot(listed[i], ~slotOfDomain.find(listed[i]));
            slotCounts[i] = t.counts()[i];
        }
        if (listed.length > 0) {
            backend.upload(t.blocks(), 0, gradients, 0, t.blocks().length);
        }
        restored = true;
    }

    /** Slot s's accumulator (dimension() floats) into block, e.g. for a checkpoint. */
    public void downloadSlot(int s, float[] block) {
        domainOfSlot(s);
        backend.download(gradients, s * dimension(), block, 0, Math.toIntExact(dimension()));
    }

    /**
     * Checks, changing nothing, that {@link #restoreSlot} would take each of
     * these slots after {@link #startRound} (domains in range and each once,
     * counts positive, blocks of {@link #dimension()} floats), so that a
     * caller can refuse a whole saved state before restoring any of it;
     * IllegalArgumentException with restoreSlot's message otherwise.
     */
    public void checkRestorable(int[] domains, long[] counts, float[][] blocks) {
        BitSet seen = new BitSet();
        for (int s = 0; s < domains.length; s++) {
            if (!fitsASlot(domains[s], counts[s], blocks[s]) || seen.get(domains[s])) {
                throw cannotRestore(domains[s], counts[s], blocks[s]);
            }
            seen.set(domains[s]);
        }
    }

    private boolean fitsASlot(int domain, long count, float[] block) {
        return domain >= 0 && domain < domains && count >= 1 && block.length == dimension();
    }

    private IllegalArgumentException cannotRestore(int domain, long count, float[] block) {
        return new IllegalArgumentException("cannot restore domain " + domain + " of " + domains + " with count " + count
                + " and " + block.length + " floats (" + dimension() + " per domain, each domain once)");
    }

    /** Gives an untouched domain the next slot with this accumulator and row count (count &gt; 0). */
    public void restoreSlot(int domain, long count, float[] block) {
        int at = fitsASlot(domain, count, block) ? slotOfDomain.find(domain) : 0;
        if (at >= 0) throw cannotRestore(domain, count, block);
        takeSlot(domain, ~at);
        slotCounts[used - 1] = count;
        backend.upload(block, 0, gradients, (used - 1) * dimension(), block.length);
        restored = true;
    }

    /** Empties the accumulators for the next round, which draws a fresh sketch seed. */
    public void reset() {
        startRound(round + 1);
    }

    /**
     * G p over the used slots (G = diag(1/n_s) X X^T diag(1/n_s), X the used
     * blocks; {@code pOfSlot} p per slot), in slot order (empty when no slot
     * is used), then {@link #reset}: the backend zeroes the blocks while G p
     * reads them ({@code Backend.gramTimesPThenZero}), so the end of a round
     * makes two passes over the used blocks, not three. A CountSketch whose
     * coordinates miss some lines of a row ({@link SketchLines}) has those
     * lines zero in every used block (only the accumulation wrote them since
     * they were last zeroed), and the passes read and zero only the live
     * lines; after a restore (uploaded blocks) the whole blocks.
     */
    public float[] gramTimesPThenReset(float[] pOfSlot) {
        float[] gp = used == 0 ? new float[0]
                : liveBlocks == null || restored
                ? backend.gramTimesPThenZero(gradients, used, dimension(), inverseSlotCounts(), pOfSlot)
                : backend.gramTimesPThenZero(gradients, used, dimension(), inverseSlotCounts(), pOfSlot, liveBlocks);
        freeSlots();
        begin(round + 1);
        return gp;
    }

    /** Zeroes the used blocks and frees their slots: O(slots x dimension()). */
    private void clear() {
        if (used > 0) {
            try (Tensor touched = backend.view(gradients, 0, (long) used * dimension())) {
                backend.zero(touched);
            }
        }
        freeSlots();
    }

    /** Frees the used slots (their blocks already zero): O(slots), the map's entries in O(1). */
    private void freeSlots() {
        Arrays.fill(slotCounts, 0, used, 0L);
        slotOfDomain.clear();
        used = 0;
    }

    @Override
    public void close() {
        gradients.close();
        if (projection != null) {
            projection.close();
        }
    }
}
