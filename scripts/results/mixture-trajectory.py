#!/usr/bin/env python3
"""R&B's mixture round by round (docs/results/lockrounds-plan.md): from each `rnb experiment` output folder's
mixture-rounds.csv (a row per mixture a run put in force: its largest proportion, its effective number of domains
exp(entropy), its L1 change), per folder and method over the seeds: runs whose largest proportion reached 0.5 in
some round, the first step it did (median over those runs), runs whose last mixture is at >= 0.5, the rounds spent
at >= 0.5 (median), and the largest proportion and effective number of domains in force at a few steps (medians).
With --runs METHOD N: instead, each run of METHOD, its first N mixtures as step:largest/effective domains.
Usage: mixture-trajectory.py [--runs METHOD N] DIR... (each DIR's name labels its rows)"""
import csv, os, statistics, sys

STEPS = (20, 200, 500, 1000)


def in_force(rows, step):
    """The mixture in force at `step`: the last row put in force at or before it."""
    return [r for r in rows if r['step'] <= step][-1]


def fmt(x, digits):
    return '-' if x is None else ('%.' + str(digits) + 'f') % x


def read(folder):
    """method -> seed -> that run's rows, by step."""
    runs = {}
    with open(os.path.join(folder, 'mixture-rounds.csv'), newline='') as f:
        for r in csv.DictReader(f):
            r['step'], r['largest'], r['effective_domains'] = int(r['step']), float(r['largest']), float(r['effective_domains'])
            runs.setdefault(r['method'], {}).setdefault(r['seed'], []).append(r)
    for seeds in runs.values():
        for rows in seeds.values():
            rows.sort(key=lambda r: r['step'])
    return runs


if sys.argv[1] == '--runs':
    method, n = sys.argv[2], int(sys.argv[3])
    for folder in sys.argv[4:]:
        for seed, rows in read(folder).get(method, {}).items():
            print('%s seed %s: %s' % (os.path.basename(folder.rstrip('/')), seed,
                                      ' '.join('%d:%.3f/%.0f' % (r['step'], r['largest'], r['effective_domains']) for r in rows[:n])))
    sys.exit()

print('| folder | method | runs | reached 0.5 | first step at 0.5 (median) | last mixture at >= 0.5 | rounds at >= 0.5 (median) '
      '| largest at step ' + ' / '.join(map(str, STEPS)) + ' | effective domains at step ' + ' / '.join(map(str, STEPS)) + ' |')
print('|---|---|---:|---:|---:|---:|---:|---|---|')
for folder in sys.argv[1:]:
    for method, seeds in read(folder).items():
        first, at_end, held = [], 0, []
        largest = {s: [] for s in STEPS}
        effective = {s: [] for s in STEPS}
        for rows in seeds.values():
            high = [r for r in rows if r['step'] > 0 and r['largest'] >= 0.5]
            if high:
                first.append(high[0]['step'])
            held.append(len(high))
            at_end += rows[-1]['largest'] >= 0.5
            for s in STEPS:
                r = in_force(rows, s)
                largest[s].append(r['largest'])
                effective[s].append(r['effective_domains'])
        med = lambda xs: statistics.median(xs) if xs else None
        print('| %s | %s | %d | %d | %s | %d | %s | %s | %s |' % (
            os.path.basename(folder.rstrip('/')), method, len(seeds), len(first), fmt(med(first), 0), at_end, fmt(med(held), 0),
            ' / '.join(fmt(med(largest[s]), 3) for s in STEPS), ' / '.join(fmt(med(effective[s]), 1) for s in STEPS)))
