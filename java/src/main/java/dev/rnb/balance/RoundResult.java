package dev.rnb.balance;

import dev.rnb.backend.BalanceStep;

/**
 * What one R&B round produced.
 *
 * @param round       0-based index of the round that just ended
 * @param proportions the training proportions for the next round
 * @param status      updated, or why the round was skipped (proportions kept)
 * @param counts      rows seen per domain during the round
 */
public record RoundResult(int round, float[] proportions, BalanceStep.Status status, long[] counts) {}
