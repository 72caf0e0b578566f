#!/usr/bin/env python3
"""Adjusted Rand index between the training partitions of several `rnb regroup` folders, every pair: how much two
regroupings of one corpus (k-means from different seeds) agree. Usage: partition-ari.py REGROUP_DIR REGROUP_DIR..."""
import itertools, sys
import numpy as np
from scipy.special import comb
def ari(a, b):
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1), np.int64)
    np.add.at(table, (ai, bi), 1)
    pairs, rows, cols = comb(table, 2).sum(), comb(table.sum(1), 2).sum(), comb(table.sum(0), 2).sum()
    expected = rows * cols / comb(len(a), 2)
    return (pairs - expected) / ((rows + cols) / 2 - expected)
parts = {d: np.loadtxt(d + '/train_domains.txt', dtype=np.int64) for d in sys.argv[1:]}
for (x, a), (y, b) in itertools.combinations(parts.items(), 2):
    if len(a) != len(b):
        sys.exit('%s and %s partition %d and %d examples' % (x, y, len(a), len(b)))
    print('%s %s %.3f' % (x, y, ari(a, b)))
