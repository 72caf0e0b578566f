package dev.rnb.regroup;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * k-means++ seeding on the host (so every backend starts from the same
 * centroids), plain or greedy. The first centroid is drawn uniformly; each
 * next one from {@code trials} candidates, each drawn with probability
 * proportional to the squared distance to the nearest centroid so far, the
 * candidate that lowers the sum of those distances most kept (greedy
 * k-means++, as scikit-learn does with 2 + ln k trials; one trial is plain
 * k-means++). When every point already coincides with a centroid
 * (duplicates), the next one is drawn uniformly.
 *
 * <p>A candidate c can only lower a point's distance r to its nearest
 * centroid a if ||c - a|| &lt; 2r (triangle inequality), so each point is
 * compared with c only when that holds; the candidate-to-centroid distances
 * are cheap. The skipped comparisons could not have changed anything (the
 * test keeps a relative margin of eight times the distances' rounding bound,
 * and a triangle inequality with both sides rounded needs about three), so
 * the seeds are those of the plain O(n k d trials) scan.
 *
 * <p>Every sum is taken in a fixed order (rows in fixed blocks, the blocks'
 * partial sums added in order), so the seeds depend on the seed value only,
 * not on the number of threads.
 */
public final class KMeansPlusPlus {
    /**
     * Rows per block: the unit of the parallel loop, of the transposed copy
     * (d x BLOCK floats, 256 KiB at d = 64, stays in L2 across the trials) and
     * of the potentials' partial sums; fixed, so that the sums do not depend on
     * the thread count.
     */
    private static final int BLOCK = 1024;

    private KMeansPlusPlus() {}

    /** scikit-learn's number of greedy trials per centroid, 2 + floor(ln k). */
    public static int greedyTrials(int k) {
        return 2 + (int) Math.log(k);
    }

    /**
     * k x d seeds drawn from the rows of {@code p} (1 <= k <= n, trials >= 1).
     * Holds a transposed copy of the points (n x d floats) while it runs.
     */
    public static float[] seed(Points p, int k, long seed, int trials) {
        int n = p.n, d = p.d;
        if (k < 1 || k > n || trials < 1) {
            throw new IllegalArgumentException("k-means++ needs 1 <= k <= N and trials >= 1, got k = " + k + ", N = " + n + ", trials = " + trials);
        }
        float[] x = p.host;
        float[][][] columns = transposedBlocks(x, n, d);
        SplittableRandom random = new SplittableRandom(seed);
        float[] centroids = new float[k * d];
        // best[i]: squared distance of point i to its nearest centroid so far (a float sum, so float).
        float[] best = new float[n], trial = new float[trials * n];
        Arrays.fill(best, Float.POSITIVE_INFINITY);
        double[] prefix = new double[n];
        int[] nearest = new int[n];
        int blocks = columns.length;
        double[] blockSums = new double[blocks * trials], apart = new double[trials * k];
        int[] candidates = {random.nextInt(n)};
        // apart and best carry the distances' rounding: skip only with a margin far above it.
        double margin = 4 * (1 + 8 * relativeError(d));
        for (int j = 0; j < k; j++) {
            int[] cands = candidates;
            int m = cands.length, centre = j;
            for (int l = 0; l < m; l++) {
                for (int c = 0; c < j; c++) apart[l * k + c] = squaredDistance(centroids, c * d, x, cands[l] * d, d);
            }
            // trial[l n + i]: point i's distance to its nearest centroid if candidate l joins.
            IntStream.range(0, blocks).parallel().forEach(blk -> {
                int start = blk * BLOCK, rows = Math.min(n - start, BLOCK);
                boolean[] whole = new boolean[m];
                for (int l = 0; l < m; l++) whole[l] = mostNeed(best, nearest, apart, l * k, margin, start, rows);
                // Where most rows need a candidate, all of the block's rows get it, vectorised
                // (the others' distances cannot undercut best, so taking them changes nothing).
                float[][] acc = blockDistances(columns[blk], x, cands, whole, d);
                for (int l = 0; l < m; l++) {
                    double sum = 0;
                    for (int i = start; i < start + rows; i++) {
                        float t = best[i];
                        if (whole[l]) {
                            t = Math.min(t, acc[l][i - start]);
                        } else if (needs(best, nearest, apart, l * k, margin, i)) {
                            t = Math.min(t, rowDistance(x, i * d, cands[l] * d, d));
                        }
                        sum += trial[l * n + i] = t;
                    }
                    blockSums[blk * trials + l] = sum;
                }
            });
            int chosen = 0;
            double lowest = Double.POSITIVE_INFINITY;
            for (int l = 0; m > 1 && l < m; l++) {
                double potential = 0;
                for (int blk = 0; blk < blocks; blk++) potential += blockSums[blk * trials + l];
                if (potential < lowest) {
                    lowest = potential;
                    chosen = l;
                }
            }
            System.arraycopy(x, cands[chosen] * d, centroids, j * d, d);
            int offset = chosen * n;
            IntStream.range(0, blocks).parallel().forEach(blk -> {
                for (int i = blk * BLOCK, end = Math.min(n, (blk + 1) * BLOCK); i < end; i++) {
                    if (trial[offset + i] < best[i]) {
                        best[i] = trial[offset + i];
                        nearest[i] = centre;
                    }
                }
            });
            if (j + 1 == k) break;
            double total = 0;
            for (int i = 0; i < n; i++) prefix[i] = total += best[i];
            if (total <= 0) {
                candidates = new int[] {random.nextInt(n)};
                continue;
            }
            candidates = new int[trials];
            for (int l = 0; l < trials; l++) candidates[l] = draw(prefix, random.nextDouble() * total);
        }
        return centroids;
    }

    /** Whether point i may move closer to the candidate whose distances to the centroids start at apart[at]. */
    private static boolean needs(float[] best, int[] nearest, double[] apart, int at, double margin, int i) {
        return best[i] == Float.POSITIVE_INFINITY || apart[at + nearest[i]] <= margin * best[i];
    }

    /** Whether more than one row in 16 of the block needs the candidate (counting stops once it is known). */
    private static boolean mostNeed(float[] best, int[] nearest, double[] apart, int at, double margin, int start, int rows) {
        int needed = 0;
        for (int i = start; i < start + rows; i++) {
            if (needs(best, nearest, apart, at, margin, i) && ++needed * 16 > rows) return true;
        }
        return false;
    }

    /** The points in blocks of BLOCK rows, each block column-major (d x BLOCK, the last one zero-padded). */
    private static float[][][] transposedBlocks(float[] x, int n, int d) {
        float[][][] out = new float[(n + BLOCK - 1) / BLOCK][d][BLOCK];
        IntStream.range(0, out.length).parallel().forEach(blk -> {
            for (int r = 0, rows = Math.min(BLOCK, n - blk * BLOCK); r < rows; r++) {
                for (int t = 0; t < d; t++) out[blk][t][r] = x[(blk * BLOCK + r) * d + t];
            }
        });
        return out;
    }

    /**
     * acc[l][r]: squared distance of the block's row r to candidate row
     * cands[l] (for the candidates marked in {@code whole}), summed over the
     * columns in order, in float. Each column is its own array at the same
     * index as the sums, so the JIT vectorises the row loop (about five times
     * the speed of a row-by-row sum at d = 64), and one sweep over the columns
     * serves every candidate; every lane does what {@link #rowDistance} does,
     * rounding for rounding.
     */
    private static float[][] blockDistances(float[][] block, float[] x, int[] cands, boolean[] whole, int d) {
        float[][] acc = new float[cands.length][];
        for (int l = 0; l < cands.length; l++) if (whole[l]) acc[l] = new float[BLOCK];
        for (int t = 0; t < d; t++) {
            float[] column = block[t];
            for (int l = 0; l < cands.length; l++) {
                if (!whole[l]) continue;
                float[] sums = acc[l];
                float c = x[cands[l] * d + t];
                for (int r = 0; r < BLOCK; r++) {
                    float diff = column[r] - c;
                    sums[r] += diff * diff;
                }
            }
        }
        return acc;
    }

    /** Squared distance of rows at {@code aOff} and {@code bOff} of x, summed in order in float, as a lane of {@link #blockDistances}. */
    static float rowDistance(float[] x, int aOff, int bOff, int d) {
        float s = 0;
        for (int t = 0; t < d; t++) {
            float diff = x[aOff + t] - x[bOff + t];
            s += diff * diff;
        }
        return s;
    }

    /**
     * The first row whose running sum of distances passes {@code target}
     * (that row's own distance is then > 0); the last row if rounding leaves
     * the target at the total.
     */
    private static int draw(double[] prefix, double target) {
        int lo = 0, hi = prefix.length - 1;
        if (!(prefix[hi] > target)) return hi;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (prefix[mid] > target) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /**
     * Squared distance of two d-float rows, summed in float with eight
     * partial sums (for the candidate-to-centroid distances of the pruning
     * test). Every term is non-negative, so the relative error is at most
     * {@link #relativeError}, as is {@link #rowDistance}'s.
     */
    static double squaredDistance(float[] a, int aOff, float[] b, int bOff, int d) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int c = 0;
        for (; c + 8 <= d; c += 8) {
            int i = aOff + c, j = bOff + c;
            float t0 = a[i] - b[j], t1 = a[i + 1] - b[j + 1], t2 = a[i + 2] - b[j + 2], t3 = a[i + 3] - b[j + 3];
            float t4 = a[i + 4] - b[j + 4], t5 = a[i + 5] - b[j + 5], t6 = a[i + 6] - b[j + 6], t7 = a[i + 7] - b[j + 7];
            s0 += t0 * t0;
            s1 += t1 * t1;
            s2 += t2 * t2;
            s3 += t3 * t3;
            s4 += t4 * t4;
            s5 += t5 * t5;
            s6 += t6 * t6;
            s7 += t7 * t7;
        }
        for (; c < d; c++) {
            float t = a[aOff + c] - b[bOff + c];
            s0 += t * t;
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** Bound on the relative error of {@link #squaredDistance} and {@link #rowDistance}: d + 3 float roundings (2^-24 each). */
    static double relativeError(int d) {
        return (d + 3) * 0x1p-24;
    }
}
