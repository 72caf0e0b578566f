package dev.rnb.data;

/**
 * Draws training batches with given domain proportions, from its own seeded
 * generator (its state and the proportions are what a checkpoint saves).
 *
 * <p>Domains are drawn from a Walker/Vose alias table: O(1) per draw (one
 * generator call, no scan over the domains) and O(k) to rebuild when the
 * proportions change (docs/SCALING.md §3: measured at 10^6 domains). From
 * {@link #SPARSE_MIN_DOMAINS} domains on, proportions in which more than half
 * of the domains with examples share one value (what R&amp;B's update gives
 * under the paper's rule: every domain a round did not touch gets the same
 * share) are drawn by a {@link SparseMixtureTable} instead: O(t) to rebuild
 * for the t other domains, O(1) expected per draw. Which table is used, and
 * every draw, is a pure function of the proportions' values (the same whether
 * they come {@link DomainProportions#dense dense} or sparse), so a resumed run
 * that restores the proportions and the generator state draws exactly the
 * same domains. Grouped proportions ({@link DomainProportions#grouped}, R&amp;B
 * over groups) are drawn from that table too, with a value per group (O(t log t
 * + G) to rebuild): their draws are a pure function of the values and the
 * groups, not of the values alone (the same values set dense or sparse are
 * drawn from the tables those forms use), so a resumed run draws the same
 * domains when it restores the grouped form (a checkpoint stores each form as
 * it is, {@link StoredProportions}).
 *
 * <p>Each row is one example: a domain is drawn from the proportions (domains
 * without examples are left out and the rest renormalised), an example
 * uniformly within it, and a window of T+1 bytes at a uniform offset. An
 * example shorter than T+1 bytes is padded with byte 0 and its padded
 * positions get loss weight 0 (padding with a masked loss, not packing: one
 * example per row keeps one domain per row).
 *
 * <p>At many domains each of a draw's reads (the table's line, the domain's
 * offsets, the example's slot, its bytes) is a cache and TLB miss, and each
 * depends on the one before. So each group of {@link #AHEAD} sequences is
 * drawn ahead on a copy of the generator in staged loops (all domain draws'
 * generator calls, then their table columns, then all examples, then all
 * offsets, then long windows' last bytes), whose
 * independent reads overlap; a draw
 * made ahead is used only when the generator is in the state it was made
 * from, so batches are exactly those of drawing one sequence after another.
 */
public final class MixtureSampler {
    /**
     * The fewest domains at which a sparse mixture is drawn by a
     * {@link SparseMixtureTable}. Below it the dense table's O(k) rebuild
     * costs under a millisecond (docs/scaling/round-cost-journal.md), and keeping it there keeps
     * every earlier run's batches (all ran at k &lt;= 4096): the two tables
     * draw the same distribution but not the same domains for one generator
     * state.
     */
    public static final int SPARSE_MIN_DOMAINS = 1 << 16;
    /** Sequences drawn ahead at a time (their reads overlap; the scratch arrays stay in L1). */
    static final int AHEAD = 32;

    private final ByteDataset data;
    private final int batch;
    private final int T;
    private final SeededRandom rng;
    private DomainProportions proportions;
    /** The dense table; built on first use (at many domains a sparse mixture never needs it). */
    private DomainAliasTable table;
    /** From SPARSE_MIN_DOMAINS domains on; null below. */
    private final SparseMixtureTable sparse;
    private boolean sparseInUse;
    private final SeededRandom ahead = new SeededRandom(0);
    /** Drawn ahead for sequence i of the group: the generator's state before it, after its example and after its offset. */
    private final long[] stateAhead = new long[AHEAD], afterExample = new long[AHEAD], afterOffset = new long[AHEAD];
    /** Drawn ahead: the domain, the example's slot ({@link ByteDataset#slotOf}) and the offset (0 for a short example). */
    private final int[] domainAhead = new int[AHEAD], slotAhead = new int[AHEAD], offsetAhead = new int[AHEAD];
    /** The raw generator outputs of the example and the offset draws. */
    private final long[] exampleBits = new long[AHEAD], offsetBits = new long[AHEAD];
    /** Domain draws started ahead ({@link #startDomain}), their table columns not yet read. */
    private final double[] startAhead = new double[AHEAD];
    /**
     * {@link #drawDomains}' draws started at a time: more than {@link #AHEAD},
     * since while a group's generator calls run no miss is in flight (in
     * {@code rnb scale} at 10^6 domains 256 took 6% to 7% off the domain
     * draw, docs/scaling/draws.md); 2 KiB of scratch, which stays in L1.
     */
    static final int DOMAINS_AHEAD = 256;
    private double[] domainsStarted;
    /**
     * readMembersAhead's and nextGroupsMembers' generator copy and positions;
     * the sum of what they read, kept so the reads are not dropped.
     */
    private final SeededRandom membersCopy = new SeededRandom(0);
    private int[] membersAhead;
    private int membersRead;
    /**
     * Whether {@link #drawAhead} read the next group's members already (in its
     * slot loop, their misses overlapping the slots'), for a group of up to
     * {@link #membersReadCount} sequences that starts with the generator in
     * state {@link #membersReadFor}.
     */
    private boolean membersReadForNext;
    private long membersReadFor;
    private int membersReadCount;
    /**
     * Windows of more than this many bytes end past the cache line of the
     * example's array header (16 bytes of header in a 64-byte line), which
     * drawing ahead has read for the length: {@link #drawAhead} then reads
     * each one's last byte too, so that those misses overlap rather than
     * each stalling its sequence's copy. Shorter windows are not read ahead,
     * even where a large offset puts them past that line.
     */
    private static final int HEADER_LINE_BYTES = 48;
    /** The sum of the windows' last bytes read ahead: kept so that the reads are not optimised away. */
    private int windowEnds;
    /**
     * Bit d set: every example of domain d is at most T + 1 bytes, so its draw
     * takes no offset and drawing ahead can go on past it. Built (O(n + k)) when
     * the first short example is drawn, so a corpus of long documents never
     * builds it; null before.
     */
    private long[] shortDomains;

    public MixtureSampler(ByteDataset data, int batch, int T, long seed) {
        if (batch < 1 || T < 1) {
            throw new IllegalArgumentException("batch and T must be >= 1, got " + batch + ", " + T);
        }
        this.data = data;
        this.batch = batch;
        this.T = T;
        this.rng = new SeededRandom(seed);
        int k = data.domains();
        this.sparse = k >= SPARSE_MIN_DOMAINS ? new SparseMixtureTable(k, d -> data.countOf(d) > 0) : null;
        float[] p = new float[k];
        java.util.Arrays.fill(p, 1f / p.length);
        setProportions(p);
    }

    /** Sets the domain proportions used from the next batch on (non-negative, any scale). */
    public void setProportions(float[] p) {
        setProportions(DomainProportions.dense(p));
    }

    /** The same, in either form (a sparse one is used without expanding it where the sparse table applies). */
    public void setProportions(DomainProportions p) {
        if (p.domains() != data.domains()) {
            throw new IllegalArgumentException("expected " + data.domains() + " proportions, got " + p.domains());
        }
        membersReadForNext = false; // read from the old table's member lists
        boolean usable = p.isGrouped() ? rebuildGrouped(p) : p.isSparse() ? rebuildSparse(p) : rebuildDense(p.toArray());
        if (!usable) {
            throw new IllegalArgumentException("the proportions put no weight on a domain that has examples");
        }
        this.proportions = p;
    }

    private static void check(int domain, float value) {
        if (!(value >= 0) || !Float.isFinite(value)) {
            throw new IllegalArgumentException("proportion of domain " + domain + " is " + value);
        }
    }

    private boolean rebuildDense(float[] p) {
        for (int d = 0; d < p.length; d++) check(d, p[d]);
        if (sparse != null) {
            float shared = majorityOfEligible(p);
            if (!Float.isNaN(shared)) { // then fewer than half of the eligible domains differ from it
                int n = 0;
                for (int d = 0; d < p.length; d++) {
                    if (p[d] != shared && data.countOf(d) > 0) n++;
                }
                int[] ids = new int[n];
                float[] w = new float[n];
                for (int d = 0, i = 0; d < p.length; d++) {
                    if (p[d] != shared && data.countOf(d) > 0) {
                        ids[i] = d;
                        w[i++] = p[d];
                    }
                }
                return useSparse(ids, w, n, shared);
            }
        }
        if (table == null) table = new DomainAliasTable(p.length);
        if (!table.rebuild(p, d -> data.countOf(d) > 0)) return false;
        sparseInUse = false;
        return true;
    }

    /** The value more than half of the eligible domains have (Boyer-Moore's vote), or NaN when none has. */
    private float majorityOfEligible(float[] p) {
        float candidate = Float.NaN;
        long votes = 0;
        for (int d = 0; d < p.length; d++) {
            if (data.countOf(d) == 0) continue;
            if (votes == 0) {
                candidate = p[d];
                votes = 1;
            } else {
                votes += p[d] == candidate ? 1 : -1;
            }
        }
        long count = 0;
        for (int d = 0; d < p.length; d++) {
            if (data.countOf(d) > 0 && p[d] == candidate) count++;
        }
        return 2 * count > sparse.eligibleCount() ? candidate : Float.NaN;
    }

    /**
     * A sparse mixture: the listed domains that have examples and differ from
     * the shared value, in increasing order (the same table a dense array of
     * the same values gives); expanded to the dense table when those are not
     * fewer than half of the eligible domains, or below {@link #SPARSE_MIN_DOMAINS}.
     */
    private boolean rebuildSparse(DomainProportions p) {
        float shared = p.rest();
        check(-1, shared);
        int t = p.listedCount();
        for (int i = 0; i < t; i++) check(p.listedDomain(i), p.listedValue(i));
        if (sparse == null) return rebuildDense(p.toArray());
        long[] keyed = new long[t];
        int n = 0;
        boolean allEligible = sparse.eligibleCount() == data.domains(); // then no domain's count need be read (a miss each at 10^6)
        for (int i = 0; i < t; i++) {
            int d = p.listedDomain(i);
            if (p.listedValue(i) != shared && (allEligible || data.countOf(d) > 0)) keyed[n++] = (long) d << 32 | i;
        }
        if (2L * n >= sparse.eligibleCount()) return rebuildDense(p.toArray());
        sortByDomain(keyed, n, data.domains());
        int[] ids = new int[n];
        float[] w = new float[n];
        for (int j = 0; j < n; j++) {
            ids[j] = (int) (keyed[j] >>> 32);
            w[j] = p.listedValue((int) keyed[j]);
        }
        return useSparse(ids, w, n, shared);
    }

    /** Grouped proportions: the sparse table's grouped rest from {@link #SPARSE_MIN_DOMAINS} domains on, else dense. */
    private boolean rebuildGrouped(DomainProportions p) {
        for (int g = 0; g < p.groups().groups(); g++) check(-1, p.groupRest(g));
        for (int i = 0; i < p.listedCount(); i++) check(p.listedDomain(i), p.listedValue(i));
        if (sparse == null) return rebuildDense(p.toArray());
        if (!sparse.rebuildGrouped(p)) return false;
        sparseInUse = true;
        return true;
    }

    /**
     * Sorts keys[0 .. n) (domain &lt;&lt; 32 | index, domains distinct and
     * below k) by domain: least significant digit first, 8 bits a pass, as
     * many passes as k - 1 has bytes (3 at 10^6). For a round's few hundred
     * touched domains this is a few microseconds, where Arrays.sort's
     * comparisons took about 11 (the rebuild's largest part).
     */
    static void sortByDomain(long[] keys, int n, int k) {
        int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, k - 1));
        long[] from = keys, to = new long[n];
        int[] count = new int[257];
        for (int shift = 32; shift < 32 + bits; shift += 8) {
            java.util.Arrays.fill(count, 0);
            for (int i = 0; i < n; i++) count[(int) (from[i] >>> shift & 0xFF) + 1]++;
            for (int b = 0; b < 256; b++) count[b + 1] += count[b];
            for (int i = 0; i < n; i++) to[count[(int) (from[i] >>> shift & 0xFF)]++] = from[i];
            long[] swap = from;
            from = to;
            to = swap;
        }
        if (from != keys) System.arraycopy(from, 0, keys, 0, n);
    }

    private boolean useSparse(int[] ids, float[] w, int n, float shared) {
        if (!sparse.rebuild(ids, w, n, shared)) return false;
        sparseInUse = true;
        return true;
    }

    /** All k proportions (O(k): a fresh array). */
    public float[] proportions() { return proportions.toArray(); }

    /** The proportions in the form they were set (immutable: shared, not copied). */
    public DomainProportions mixture() { return proportions; }

    /** Whether the current proportions are drawn by the sparse table. */
    boolean usesSparseTable() { return sparseInUse; }

    public long rngState() { return rng.state(); }

    public void setRngState(long state) { rng.setState(state); }

    /**
     * Draws {@code out.length} domains from the proportions into {@code out}
     * with this sampler's generator, which it advances: the domain draws of
     * {@link #next}'s sequences without their examples (the mixture's part of
     * a row; the example's is the corpus's), drawn as that many single draws
     * would be, one after another. Staged as {@link #next} stages them, a
     * group of {@link #DOMAINS_AHEAD} at a time: every generator call first,
     * then the table columns, whose cache misses at many domains overlap;
     * but one by one from a sparse table whose listed domains' columns stay
     * in cache ({@link SparseMixtureTable#hasFewColumns}): there staging
     * overlaps no miss, and its int to double and back cost as much as a
     * draw (docs/scaling/draws.md, "One generator call"), and one by one from
     * a dense table whose draws rarely read a column from memory
     * ({@link DomainAliasTable#drawsFromCache}). For a grouped p'
     * the members the draws will read are read ahead first, a block at a
     * time ({@link #readMembersAhead}).
     */
    public void drawDomains(int[] out) {
        if (!sparseInUse && table.drawsFromCache()) {
            for (int i = 0; i < out.length; i++) out[i] = table.draw(rng);
            return;
        }
        if (sparseInUse && sparse.hasFewColumns() && !sparse.isGrouped()) {
            for (int i = 0; i < out.length; i++) out[i] = sparse.draw(rng);
            return;
        }
        if (sparseInUse && sparse.hasFewColumns()) { // grouped: the members read ahead, a block at a time
            for (int at = 0; at < out.length; at += DOMAINS_AHEAD) {
                int count = Math.min(DOMAINS_AHEAD, out.length - at);
                readMembersAhead(count, 0);
                for (int i = 0; i < count; i++) out[at + i] = sparse.draw(rng);
            }
            return;
        }
        if (domainsStarted == null) domainsStarted = new double[DOMAINS_AHEAD];
        for (int at = 0; at < out.length; at += DOMAINS_AHEAD) {
            int count = Math.min(DOMAINS_AHEAD, out.length - at);
            readMembersAhead(count, 0);
            for (int i = 0; i < count; i++) domainsStarted[i] = startDomain(rng);
            finishDomains(domainsStarted, out, at, count);
        }
    }

    /** The next batch, in fresh arrays (the caller may keep it). */
    public Batch next() {
        return next(null);
    }

    /**
     * The next batch, written into {@code reuse}'s arrays when it is a batch
     * of this sampler's shape (else into fresh ones): the same rows as
     * {@link #next()}, and {@code reuse}'s contents are gone, so pass only a
     * batch that nothing reads any more. A training loop that is done with
     * each batch before drawing the next one passes the last one
     * ({@code Trainer.trainStep()}): fresh arrays are zeroed by the JVM and
     * written in heap lines no cache holds, which was most of a draw's time
     * (docs/scaling/draws.md, "The batch's rows"); reused, the five arrays stay in
     * cache.
     */
    public Batch next(Batch reuse) {
        int n = batch * T;
        boolean fits = reuse != null && reuse.batch() == batch && reuse.T() == T && reuse.tokens().length == n
                && reuse.targets().length == n && reuse.weights().length == n && reuse.domainOfRow().length == n
                && reuse.domainOfSequence().length == batch;
        float[] tokens = fits ? reuse.tokens() : new float[n], targets = fits ? reuse.targets() : new float[n];
        float[] mask = fits ? reuse.weights() : new float[n];
        int[] domainOfRow = fits ? reuse.domainOfRow() : new int[n], domainOfSequence = fits ? reuse.domainOfSequence() : new int[batch];
        int valid = 0;
        for (int b0 = 0; b0 < batch; b0 += AHEAD) {
            int b1 = Math.min(batch, b0 + AHEAD);
            drawAhead(b1 - b0);
            for (int b = b0; b < b1; b++) {
                int i = b - b0, d, offset;
                byte[] bytes;
                if (rng.state() == stateAhead[i]) { // drawn ahead from this very state: the same draws
                    d = domainAhead[i];
                    bytes = data.bytesAt(slotAhead[i]);
                    offset = offsetAhead[i];
                    rng.setState(bytes.length > T + 1 ? afterOffset[i] : afterExample[i]);
                    if (bytes.length <= T + 1 && shortDomains == null) shortDomains = shortDomains();
                } else {
                    d = drawDomain(rng);
                    bytes = data.bytesOf(d, rng.nextInt(data.countOf(d)));
                    offset = bytes.length > T + 1 ? rng.nextInt(bytes.length - T) : 0;
                }
                domainOfSequence[b] = d;
                for (int t = 0; t < T; t++) {
                    int r = b * T + t;
                    domainOfRow[r] = d;
                    if (offset + t + 1 < bytes.length) {
                        tokens[r] = bytes[offset + t] & 0xFF;
                        targets[r] = bytes[offset + t + 1] & 0xFF;
                        mask[r] = 1f;
                        valid++;
                    } else { // past the example's end: every value written, so that reused arrays hold no earlier batch's
                        tokens[r] = offset + t < bytes.length ? bytes[offset + t] & 0xFF : 0f;
                        targets[r] = 0f;
                        mask[r] = 0f;
                    }
                }
            }
        }
        if (valid > 0) {
            for (int i = 0; i < n; i++) mask[i] /= valid;
        }
        return new Batch(batch, T, tokens, targets, mask, domainOfRow, domainOfSequence, valid);
    }

    /**
     * Draws the next {@code count} sequences' domains, examples and offsets
     * on a copy of the generator in staged loops: all domain draws' generator
     * calls first (with the examples' and the offsets'), then their table
     * columns, then all examples' slots (for a grouped p', beside the next
     * group's member list entries: {@link #nextGroupsMembers}), then their
     * bytes' lengths and offsets (then, for
     * windows of more than {@link #HEADER_LINE_BYTES} bytes, each one's last byte), so
     * that the cache misses of one stage overlap instead of each waiting for
     * the one before. It assumes an offset is drawn, except in a domain whose examples
     * are all at most T + 1 bytes ({@link #shortDomains}). {@link #next} takes
     * a sequence's draws from here only when the generator is in the state
     * they were drawn from (so they are the draws it would make), else draws
     * it itself: after a short example in a domain with longer ones the rest
     * of the group is drawn one by one, which costs time, never a different
     * draw.
     */
    private void drawAhead(int count) {
        if (!membersReadForNext || membersReadFor != rng.state() || count > membersReadCount) {
            readMembersAhead(count, 2); // each domain draw followed by its example's and offset's calls
        }
        membersReadForNext = false;
        ahead.setState(rng.state());
        for (int i = 0; i < count; i++) {
            stateAhead[i] = ahead.state();
            double started = startDomain(ahead);
            startAhead[i] = started;
            exampleBits[i] = ahead.nextLong();
            afterExample[i] = ahead.state();
            int d;
            if (shortDomains != null && (shortDomains[(d = finishDomain(started)) >>> 6] & 1L << d) != 0) {
                afterOffset[i] = afterExample[i]; // no offset drawn: the example is at most T + 1 bytes
            } else {
                offsetBits[i] = ahead.nextLong();
                afterOffset[i] = ahead.state();
            }
        }
        finishDomains(startAhead, domainAhead, 0, count); // once a short example was met, the loop above read these columns already
        int next = sparseInUse && sparse.isGrouped() ? nextGroupsMembers(count) : 0;
        if (next == 0) {
            for (int i = 0; i < count; i++) {
                int d = domainAhead[i];
                slotAhead[i] = data.slotOf(d, (int) Math.floorMod(exampleBits[i], (long) data.countOf(d))); // nextInt's arithmetic
            }
        } else { // the next group's member reads beside the slot reads: their misses overlap instead of taking a stage of their own
            int sum = 0;
            for (int i = 0; i < count; i++) {
                int d = domainAhead[i];
                slotAhead[i] = data.slotOf(d, (int) Math.floorMod(exampleBits[i], (long) data.countOf(d)));
                if (i < next) sum += sparse.memberAt(membersAhead[i]);
            }
            membersRead += sum;
        }
        for (int i = 0; i < count; i++) {
            int length = data.bytesAt(slotAhead[i]).length;
            offsetAhead[i] = length > T + 1 ? (int) Math.floorMod(offsetBits[i], (long) (length - T)) : 0;
        }
        if (T + 1 > HEADER_LINE_BYTES) { // not tested per window: any change to the loop above cost T = 1 rows 8% to 16%
            int last = 0;
            for (int i = 0; i < count; i++) {
                byte[] bytes = data.bytesAt(slotAhead[i]);
                if (offsetAhead[i] + T < bytes.length) last += bytes[offsetAhead[i] + T]; // a full window's last byte
            }
            windowEnds = last;
        }
    }

    /**
     * For a grouped p': the member list positions of the next group of
     * {@code count} sequences (as many as this one), from the state this group's draws end in
     * (ahead's: exact unless a short example makes {@link #next} draw one by
     * one, which then finds no read made for its state), into membersAhead;
     * their number. {@link #drawAhead} reads them beside this group's slots.
     */
    private int nextGroupsMembers(int count) {
        if (membersAhead == null) membersAhead = new int[Math.max(AHEAD, DOMAINS_AHEAD)];
        membersReadForNext = true;
        membersReadFor = ahead.state();
        membersReadCount = count;
        return sparse.memberPositions(membersCopy, membersReadFor, count, 2, membersAhead);
    }

    private long[] shortDomains() {
        int k = data.domains();
        long[] bits = new long[(k + 63) >>> 6];
        for (int d = 0; d < k; d++) {
            boolean allShort = data.countOf(d) > 0;
            for (int j = 0; j < data.countOf(d) && allShort; j++) allShort = data.bytesOf(d, j).length <= T + 1;
            if (allShort) bits[d >>> 6] |= 1L << d;
        }
        return bits;
    }

    /**
     * For a grouped p' (rnb:hier from 2^16 domains), reads the member list
     * entries the next {@code count} domain draws will read, on a copy of the
     * generator ({@link SparseMixtureTable#readMembersAhead}): at 10^6 domains
     * each is a cache miss, which the draws, each waiting on its member to
     * know whether to draw again, took one after another (84 ns a draw against
     * 2.5 at k = 10; docs/scaling/draws.md). Draws are unchanged. In
     * {@link #next} a group's are mostly read by the group before, beside
     * its slot reads ({@link #nextGroupsMembers}); this reads them only where
     * that did not (the first group, a new p' or generator state, a group
     * larger than the one before).
     */
    private void readMembersAhead(int count, int callsBetween) {
        if (!sparseInUse || !sparse.isGrouped()) return;
        if (membersAhead == null) membersAhead = new int[Math.max(AHEAD, DOMAINS_AHEAD)];
        membersRead += sparse.readMembersAhead(membersCopy, rng.state(), count, callsBetween, membersAhead);
    }

    private int drawDomain(SeededRandom r) { return sparseInUse ? sparse.draw(r) : table.draw(r); }

    /** A domain draw's generator calls ({@link DomainAliasTable#point}, {@link SparseMixtureTable#start}). */
    private double startDomain(SeededRandom r) { return sparseInUse ? sparse.start(r) : table.point(r); }

    /** The domain of a draw {@link #startDomain started}: reads its table column. */
    private int finishDomain(double started) { return sparseInUse ? sparse.finish(started) : table.domainAt(started); }

    /** The domains of the draws started in started[0 .. count) into out[at ..): one loop of column reads, which overlap. */
    private void finishDomains(double[] started, int[] out, int at, int count) {
        for (int i = 0; i < count; i++) out[at + i] = finishDomain(started[i]);
    }
}
