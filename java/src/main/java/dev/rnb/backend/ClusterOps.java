package dev.rnb.backend;

/**
 * The k-means and silhouette operations of Regroup, on tensors in the
 * backend's memory, so a Lloyd loop never moves the n x d points or the
 * n assignments to the host: only a few scalars per iteration come back
 * ({@link AssignStats}, the empty-cluster count).
 *
 * <p>Layouts are row-major: points X are n x d, centroids C are k x d.
 * Cluster ids are stored as floats in a tensor of n floats (exact for
 * k &lt;= 2^24), so assignments live beside the points in the same memory
 * without a second tensor type. Distances are squared Euclidean,
 * ||x||^2 - 2 x.c + ||c||^2 clamped at 0; ties go to the lowest cluster id.
 * {@link Backend} implements this checked; each device supplies an unchecked
 * implementation that may assume the checks of {@code ArgumentChecks} passed.
 */
public interface ClusterOps {

    /**
     * Result of one assignment pass: the inertia (sum of minDist, accumulated
     * in double), the rows whose assignment changed, and the rows whose
     * centroid bounds settled without their distances to every centroid (0
     * but in {@link #assignNearestBounded}).
     */
    record AssignStats(double inertia, long changed, long settled) {}

    /** out[i] = ||X_i||^2 for the n rows of X. */
    void rowSquaredNorms(Tensor x, int n, int d, Tensor out);

    /** Scales every row of X to unit length in place; an all-zero row stays zero. */
    void normalizeRows(Tensor x, int n, int d);

    /**
     * Assigns every row of X to its nearest centroid. {@code assign} holds the
     * previous assignments (any value, e.g. -1, when there are none) and is
     * overwritten; {@code minDist[i]} receives the squared distance to the
     * chosen centroid. xNorms are {@link #rowSquaredNorms} of X. Works through
     * the rows in chunks, so the n x k distances never exist at once.
     *
     * @return the inertia, the number of rows whose assignment changed, 0 rows settled
     */
    AssignStats assignNearest(Tensor x, Tensor xNorms, int n, int d, Tensor centroids, int k, Tensor assign, Tensor minDist);

    /**
     * {@link #assignNearest}, for the passes of one Lloyd loop, with state a
     * device may use to skip rows whose centroid provably stays (Hamerly's
     * bounds): the same assignments (a skipped row is one no rounding of the
     * distances could move) and the same distances up to rounding. Before the
     * loop's first pass the caller fills {@code lower} (n floats) with
     * -infinity; then it passes the same {@code assign}, {@code lower} and
     * {@code previous} (k x d floats) to every pass and changes neither in
     * between. A device keeps there a lower bound on each row's distance to
     * its second-nearest centroid and the centroids of the last pass. By
     * default it is {@code assignNearest} and the state is left unused.
     */
    default AssignStats assignNearestBounded(Tensor x, Tensor xNorms, int n, int d, Tensor centroids, int k, Tensor assign,
                                             Tensor minDist, Tensor lower, Tensor previous) {
        return assignNearest(x, xNorms, n, d, centroids, k, assign, minDist);
    }

    /**
     * Moves each centroid to the mean of the rows assigned to it (then to unit
     * length when {@code normalize}, for spherical k-means); a cluster without
     * rows keeps its centroid. counts[j] receives the number of rows of cluster j.
     *
     * @return the number of empty clusters
     */
    int updateCentroids(Tensor x, int n, int d, Tensor assign, int k, boolean normalize, Tensor centroids, Tensor counts);

    /**
     * Silhouette value of each of the m rows of X under the given labels
     * (Euclidean distances): s_i = (b_i - a_i) / max(a_i, b_i), with a_i the
     * mean distance to the other members of i's cluster and b_i the smallest
     * mean distance to another non-empty cluster; s_i = 0 when i is alone in
     * its cluster or only one cluster is non-empty. Pairwise distances come
     * from GEMM, a chunk of rows at a time.
     */
    void silhouette(Tensor x, Tensor xNorms, int m, int d, Tensor labels, int k, Tensor out);
}
