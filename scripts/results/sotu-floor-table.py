#!/usr/bin/env python3
"""Table rows of docs/scaling/training-vs-k.md's lambda-floor study at k = 1024 / 4096 (State of the Union): per
evaluation set, k and floored setting in FLOOR_CSV (`R&B (lambda=16:uniform=U)`), the final evaluation loss (mean ±
95% t half-width) and, paired by seed over seeds 1-10, the difference against Stratified and the paper's rule at
lambda 1 (`R&B`, from BASE_CSV) and against lambda 16 without a floor (`R&B (lambda=16)`, from LAMBDA_CSV): mean, 95% t
CI, seeds lower, verdict. A cell without all ten seeds of all four is left out. Rows repeated must agree to the digit.
Usage: sotu-floor-table.py BASE_CSV LAMBDA_CSV FLOOR_CSV STEPS"""
import sys
from paired_ci import ci, verdict
from sotu_runs import read_losses

*paths, steps = sys.argv[1:]
SETS = {'recent': 'skewed (1950-2021)', 'random': 'in distribution'}
BASES = ('Stratified', 'R&B', 'R&B (lambda=16)')
SEEDS = range(1, 11)
loss, methods = read_losses(paths, steps)
settings = methods[paths[-1]]


def against(xs, base):
    """One ' − base' column: mean difference [95% CI], seeds lower, verdict."""
    d = [x - b for x, b in zip(xs, base)]
    m, h = ci(d)
    return ' %+.4f [%+.4f, %+.4f], %d/%d, %s |' % (m, m - h, m + h, sum(x < 0 for x in d), len(d), verdict(m, h))


print('| k | evaluation set | method | eval loss | − Stratified | − lambda 1 (paper) | − lambda 16, no floor |')
print('|---:|---|---|---|---|---|---|')
for e in SETS:
    for k in (1024, 4096):
        for m in settings:
            cols = [[loss.get((k, e, n, s)) for s in SEEDS] for n in (m,) + BASES]
            if any(None in xs for xs in cols):
                continue
            mean, h = ci(cols[0])
            print('| %d | %s | %s | %.4f ± %.4f |' % (k, SETS[e], m, mean, h)
                  + ''.join(against(cols[0], b) for b in cols[1:]))
