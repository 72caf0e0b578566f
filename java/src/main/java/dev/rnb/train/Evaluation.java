package dev.rnb.train;

/**
 * Mean per-byte loss on a held-out set, overall and per domain
 * ({@code NaN} for a domain without evaluation bytes), with the number of
 * predicted bytes behind each mean.
 */
public record Evaluation(double loss, double[] domainLoss, long[] domainTargets) {}
