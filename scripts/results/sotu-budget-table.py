#!/usr/bin/env python3
"""The budget comparison of docs/scaling/training-vs-k.md's State of the Union 2,000-step section: per evaluation set and
R&B method at one k, the gain over Stratified (method − Stratified, paired by seed) at the short and the long budget
over the same seeds, and their difference of differences per seed (long gain − short gain: mean, 95% t CI, seeds where
the gain grew, i.e. the difference fell). The two budgets are separate trainings, so this is descriptive. Also each
method's own loss change, long − short (mean, 95% t CI). Runs repeated in several CSVs must agree to the digit.
Usage: sotu-budget-table.py K SHORT_STEPS LONG_STEPS FIRST_SEED LAST_SEED METHOD,... CSV... (names as the CSVs have
them; every CSV is read at both budgets)"""
import sys
from paired_ci import ci
from sotu_runs import read_losses, seed_losses

k, short, long_, first, last = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
methods, paths = sys.argv[6].split(','), sys.argv[7:]
seeds = list(range(first, last + 1))
STRAT = 'Stratified'
SETS = {'recent': 'skewed (1950-2021)', 'random': 'in distribution'}
loss = {steps: read_losses(paths, steps)[0] for steps in (short, long_)}


def xs(steps, e, m):
    return seed_losses(loss[steps], k, e, m, seeds)


def fmt(d):
    m, h = ci(d)
    return '%+.4f [%+.4f, %+.4f]' % (m, m - h, m + h)


label = '%d-%d' % (first, last)
print('| evaluation set | seeds | method | − Stratified at %s steps | − Stratified at %s steps '
      '| difference of differences (%s − %s) | seeds where the gain grew | own loss change (%s − %s) |'
      % (short, long_, long_, short, long_, short))
print('|---|---|---|---|---|---|---|---|')
for e in SETS:
    base = {t: xs(t, e, STRAT) for t in (short, long_)}
    for m in methods:
        a, b = xs(short, e, m), xs(long_, e, m)
        if a is None or b is None or None in base.values():
            continue
        own = fmt([y - x for x, y in zip(a, b)])
        if m == STRAT:
            print('| %s | %s | %s | | | | | %s |' % (SETS[e], label, m, own))
            continue
        g1 = [x - s for x, s in zip(a, base[short])]
        g2 = [x - s for x, s in zip(b, base[long_])]
        dd = [y - x for x, y in zip(g1, g2)]
        print('| %s | %s | %s | %s | %s | %s | %d/%d | %s |'
              % (SETS[e], label, m, fmt(g1), fmt(g2), fmt(dd), sum(d < 0 for d in dd), len(dd), own))
