#!/usr/bin/env python3
"""Table rows of docs/scaling/training-vs-k.md's State of the Union study at k = 1024 / 4096 from
docs/results/sotu-large-k-runs.csv (it has no regroup_seed column: one regrouping per k): per k and evaluation set, each
method's final evaluation loss (mean ± 95% t half-width over the seeds), each method − Stratified and each R&B option −
the paper's rule, paired by seed (mean, 95% t CI, seeds lower, verdict). A method is shown only where every seed of
FIRST..LAST ran for it and for the bases it is compared with; runs repeated in several invocations must agree to the
digit. Usage: sotu-large-k-table.py RUNS_CSV STEPS FIRST_SEED LAST_SEED METHOD,... (names as the CSV has them)"""
import sys
from paired_ci import ci, verdict
from sotu_runs import read_losses, seed_losses

runs_csv, steps, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
methods = sys.argv[5].split(',')
seeds = list(range(first, last + 1))
STRAT, PAPER = 'Stratified', 'R&B'
SETS = {'recent': 'skewed (1950-2021)', 'random': 'in distribution'}
# the doc's names for the CSV's methods; others print as the CSV has them
LABELS = {PAPER: 'R&B, paper rule (absent=zero)', 'R&B (hier=sqrt)': 'R&B, hier=sqrt',
          'R&B (absent=carry)': 'R&B, absent=carry', 'R&B (absent=grow)': 'R&B, absent=grow'}
loss, _ = read_losses([runs_csv], steps)


def losses(k, e, m):
    return seed_losses(loss, k, e, m, seeds)


def against(xs, base):
    """' − base' columns: mean difference, CI, seeds lower, verdict (blank where there is no base)."""
    if base is None:
        return ' | | | |'
    d = [x - b for x, b in zip(xs, base)]
    m, h = ci(d)
    return ' %+.4f | [%+.4f, %+.4f] | %d/%d | %s |' % (m, m - h, m + h, sum(x < 0 for x in d), len(d), verdict(m, h))


label = '%d-%d' % (first, last)
print('| k | evaluation set | seeds | method | eval loss | − Stratified | 95% CI | seeds lower | verdict '
      '| − paper rule | 95% CI | seeds lower | verdict |')
print('|---:|---|---|---|---|---|---|---|---|---|---|---|---|')
for e in SETS:
    for k in (1024, 4096):
        strat, paper = losses(k, e, STRAT), losses(k, e, PAPER)
        for m in methods:
            xs = losses(k, e, m)
            if xs is None:
                continue
            mean, h = ci(xs)
            row = '| %d | %s | %s | %s | %.4f ± %.4f |' % (k, SETS[e], label, LABELS.get(m, m), mean, h)
            row += against(xs, strat if m != STRAT else None)
            row += against(xs, paper if m not in (STRAT, PAPER) else None)
            print(row)
