#!/usr/bin/env python3
"""The gain against budget of docs/scaling/training-vs-k.md's State of the Union budget sections: at one k, per
evaluation set and method, the method − Stratified difference paired by seed (mean, 95% t CI, seeds lower) at every
budget (steps) named, over the same seeds; Stratified's own loss (mean ± 95% t half-width) on its row. Each budget is a
separate training, so the row is read across budgets descriptively. A budget where a seed is missing for the method or
for Stratified prints empty. Runs repeated in several CSVs must agree to the digit.
Usage: sotu-gain-by-budget.py K STEPS,... FIRST_SEED LAST_SEED METHOD,... CSV... (names as the CSVs have them)"""
import sys
from paired_ci import ci
from sotu_runs import read_losses, seed_losses

k, budgets, first, last = int(sys.argv[1]), sys.argv[2].split(','), int(sys.argv[3]), int(sys.argv[4])
methods, paths = sys.argv[5].split(','), sys.argv[6:]
seeds = list(range(first, last + 1))
STRAT = 'Stratified'
SETS = {'recent': 'skewed (1950-2021)', 'random': 'in distribution'}
loss = {steps: read_losses(paths, steps)[0] for steps in budgets}


def xs(steps, e, m):
    return seed_losses(loss[steps], k, e, m, seeds)


def cell(steps, e, m):
    base, own = xs(steps, e, STRAT), xs(steps, e, m)
    if base is None or own is None:
        return ''
    if m == STRAT:
        mean, h = ci(own)
        return 'loss %.4f ± %.4f' % (mean, h)
    d = [x - s for x, s in zip(own, base)]
    mean, h = ci(d)
    return '%+.4f [%+.4f, %+.4f], %d/%d' % (mean, mean - h, mean + h, sum(x < 0 for x in d), len(d))


print('| k | evaluation set | seeds | method | %s |' % ' | '.join('− Stratified at %s steps' % b for b in budgets))
print('|---:|---|---|---|' + '---|' * len(budgets))
for e in SETS:
    for m in methods:
        print('| %d | %s | %d-%d | %s | %s |' % (k, SETS[e], first, last, m, ' | '.join(cell(b, e, m) for b in budgets)))
