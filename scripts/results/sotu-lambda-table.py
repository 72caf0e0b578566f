#!/usr/bin/env python3
"""Table rows of docs/scaling/training-vs-k.md's lambda study at k = 1024 / 4096 (State of the Union, 1,000 steps):
per evaluation set, k and lambda setting above 1 in LAMBDA_CSV, the final evaluation loss (mean ± 95% t half-width), − Stratified
and − the same rule at lambda 1 (the paper's rule `R&B`, or `R&B (hier=sqrt)` for a hier setting), both from BASE_CSV,
paired by seed (mean, 95% t CI, seeds lower, verdict), over the largest of the seed sets 1-10 and 1-5 that every one of
the three has in full. Rows repeated in several invocations must agree to the digit.
Usage: sotu-lambda-table.py BASE_CSV LAMBDA_CSV STEPS"""
import sys
from paired_ci import ci, verdict
from sotu_runs import read_losses

base_csv, lambda_csv, steps = sys.argv[1:]
SETS = {'recent': 'skewed (1950-2021)', 'random': 'in distribution'}
SEED_SETS = (range(1, 11), range(1, 6))
loss, methods = read_losses([base_csv, lambda_csv], steps)
settings = [m for m in methods[lambda_csv] if 'lambda=' in m and 'lambda=1)' not in m]  # lambda 1 here is the reproduction check


def lambda_one(m):
    """The same rule at lambda 1: 'R&B (hier=sqrt:lambda=16)' -> 'R&B (hier=sqrt)', 'R&B (lambda=4)' -> 'R&B'."""
    rest = [s for s in m[len('R&B ('):-1].split(':') if not s.startswith('lambda=')]
    return 'R&B (%s)' % ':'.join(rest) if rest else 'R&B'


def against(xs, base):
    """' − base' columns: mean difference, CI, seeds lower, verdict."""
    d = [x - b for x, b in zip(xs, base)]
    m, h = ci(d)
    return ' %+.4f | [%+.4f, %+.4f] | %d/%d | %s |' % (m, m - h, m + h, sum(x < 0 for x in d), len(d), verdict(m, h))


print('| k | evaluation set | seeds | method | eval loss | − Stratified | 95% CI | seeds lower | verdict '
      '| − lambda 1 | 95% CI | seeds lower | verdict |')
print('|---:|---|---|---|---|---|---|---|---|---|---|---|---|')
for e in SETS:
    for k in (1024, 4096):
        for m in settings:
            for seeds in SEED_SETS:
                cols = [[loss.get((k, e, n, s)) for s in seeds] for n in (m, 'Stratified', lambda_one(m))]
                if not any(None in xs for xs in cols):
                    break
            else:
                continue
            xs, strat, one = cols
            mean, h = ci(xs)
            print('| %d | %s | %d-%d | %s | %.4f ± %.4f |' % (k, SETS[e], seeds[0], seeds[-1], m, mean, h)
                  + against(xs, strat) + against(xs, one))
