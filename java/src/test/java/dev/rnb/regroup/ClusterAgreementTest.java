package dev.rnb.regroup;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ClusterAgreementTest {

    @Test
    void identicalPartitionsUnderRelabellingScoreOne() {
        int[] a = {0, 0, 1, 1, 2, 2}, b = {2, 2, 0, 0, 1, 1};
        assertEquals(1.0, ClusterAgreement.adjustedRandIndex(a, b), 1e-12);
        assertEquals(1.0, ClusterAgreement.normalizedMutualInformation(a, b), 1e-12);
    }

    @Test
    void knownValues() {
        // scikit-learn: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714...,
        // normalized_mutual_info_score(...) = 0.8
        int[] a = {0, 0, 1, 1}, b = {0, 0, 1, 2};
        assertEquals(4.0 / 7.0, ClusterAgreement.adjustedRandIndex(a, b), 1e-12);
        assertEquals(0.8, ClusterAgreement.normalizedMutualInformation(a, b), 1e-12);
        // Independent labelings: ARI below zero here, NMI zero.
        int[] c = {0, 0, 1, 1}, d = {0, 1, 0, 1};
        assertEquals(-0.5, ClusterAgreement.adjustedRandIndex(c, d), 1e-12);
        assertEquals(0.0, ClusterAgreement.normalizedMutualInformation(c, d), 1e-12);
    }

    @Test
    void contingencyAndIds() {
        int[] ids = ClusterAgreement.ids(List.of("math", "code", "math", "poems"), null);
        assertArrayEquals(new int[]{0, 1, 0, 2}, ids);
        long[][] t = ClusterAgreement.contingency(ids, new int[]{1, 1, 0, 0});
        assertArrayEquals(new long[]{1, 1}, t[0]);
        assertArrayEquals(new long[]{0, 1}, t[1]);
        assertArrayEquals(new long[]{1, 0}, t[2]);
    }
}
