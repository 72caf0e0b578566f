package dev.rnb.balance;

import dev.rnb.data.DomainProportions;

/**
 * Combines the Balance accumulators of data-parallel replicas. Per-domain
 * gradients (exact or sketched) and row counts are sums over rows, so after one
 * all-reduce every replica holds the round's accumulators of the global batch
 * and computes the same p' (docs/scaling/data-parallel.md). The accumulators are sparse
 * (a slot per touched domain), so what crosses is each replica's touched
 * domains, their counts and dimension() floats each, and every replica gets
 * back the union of the domains with the sums: O(touched x dimension()), not
 * k x dimension(). {@link RnbBalancer} calls it at the end of every round
 * when its builder is given one.
 */
public interface GradientReducer {

    /**
     * Collective: every replica calls it once per round with accumulators of the
     * same shape (domains, dimension, sketch seed); on return {@code local} holds
     * a slot for every domain some replica touched, with the element-wise sums
     * over all replicas of its gradients and its counts (a replica that did not
     * touch it adds zeros). Every replica receives bit-identical sums.
     *
     * @throws IllegalStateException when replicas disagree on the shape or a
     *                               replica failed or gave up waiting
     */
    void allReduce(DomainGradients local);

    /**
     * Collective: every replica calls it once per round with the p' it computed
     * from the reduced accumulators, and all get back replica 0's, in its form
     * (dense, sparse or grouped: what crosses is its listed entries and its
     * shared values, O(touched + groups) where it is not dense; the groups are
     * every replica's own, built alike). The sums are
     * bit-identical, but a backend may compute G p in a nondeterministic order
     * (float atomics on cuda), so replicas can differ in the last bit of p';
     * broadcasting replica 0's keeps their sampling identical.
     */
    DomainProportions broadcastProportions(DomainProportions proportions);

    /** How many replicas take part. */
    int replicas();
}
