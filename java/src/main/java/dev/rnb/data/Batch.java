package dev.rnb.data;

/**
 * One training batch of {@code batch} rows of {@code T} positions, row-major:
 * token ids, next-byte targets and loss weights (mask / number of unmasked
 * positions, so the loss is a mean over real targets), the domain of every
 * position (the R&amp;B hook's domainOfRow) and of every sequence.
 */
public record Batch(int batch, int T, float[] tokens, float[] targets, float[] weights,
                    int[] domainOfRow, int[] domainOfSequence, int validTargets) {}
