#!/usr/bin/env python3
"""Paired contrasts of a runs CSV (docs/results/*-runs.csv) under several regroupings (its regroup_seed column): for
each k, evaluation set and regrouping, the contrasts' mean over training seeds with a 95% Student-t CI; then, across
the regroupings, their per-regrouping means, the spread of those means, a pooled mean with a CI that treats the
regrouping as a random effect (t over the per-regrouping means, R - 1 degrees of freedom) beside the CI from seed noise
alone (the pooled within-regrouping variance, sum(n - 1) degrees of freedom; both paired_ci.pooled's, which also holds
for unequal n: then "R x n" lists each regrouping's n), and how far Stratified's own loss moves
between regroupings. Runs repeated in several invocations must agree to the digit (the cpu backend is deterministic).
Usage: regrouping-contrasts.py RUNS_CSV STEPS FIRST_SEED LAST_SEED [A:B,...]
(the optional last argument names the contrasts A - B by method, each A:B split at its ':' outside parentheses,
paired_ci.contrasts; the default is R&B and hier=4 against Stratified, and hier=4/4 against hier=4; an A of several
methods joined by '+' stands for their mean per seed, e.g. section 5's S6, the mean over G = 2..64 of hier=G -
Stratified, where a seed counts only if every one of them ran)"""
import csv, statistics as st, sys
from paired_ci import ci, contrasts, pooled, verdict
runs_csv, steps, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
CONTRASTS = (contrasts(sys.argv[5]) if len(sys.argv) > 5 else
             [('R&B', 'Stratified'), ('R&B (hier=4)', 'Stratified'), ('R&B (hier=4/4)', 'R&B (hier=4)')])
loss = {}
for line, r in enumerate(csv.DictReader(open(runs_csv)), start=2):
    seed = int(r['seed'])
    if r['steps'] != steps or not first <= seed <= last:
        continue
    key = (int(r['k_asked']), r['eval_set'], int(r['regroup_seed']), r['method'], seed)
    if loss.setdefault(key, r['eval_loss']) != r['eval_loss']:
        sys.exit('%s:%d: %s seed %d repeats with loss %s against %s' % (runs_csv, line, key[:4], seed, r['eval_loss'], loss[key]))
def paired(k, e, r, a, b):
    # A = 'M1+M2+...': the mean of those methods' losses per seed (one method: its loss, as before)
    ms = a.split('+')
    seeds = [s for s in range(first, last + 1) if all((k, e, r, m, s) in loss for m in ms) and (k, e, r, b, s) in loss]
    return [st.mean(float(loss[(k, e, r, m, s)]) for m in ms) - float(loss[(k, e, r, b, s)]) for s in seeds]
cells = sorted({(k, e) for k, e, *_ in loss}, key=lambda c: (c[1] != 'skewed', c[0]))
print('Per regrouping, paired by training seed:\n')
print('| k | evaluation set | regrouping (k-means seed) | contrast | seeds | difference | 95% CI | seeds lower | verdict |')
print('|---:|---|---:|---|---:|---|---|---|---|')
pooled_rows = []
for k, e in cells:
    regroupings = sorted({r for kk, ee, r, *_ in loss if (kk, ee) == (k, e)})
    for a, b in CONTRASTS:
        per = {}
        for r in regroupings:
            d = paired(k, e, r, a, b)
            if len(d) < 2:
                continue
            m, h = ci(d)
            per[r] = d
            print('| %d | %s | %d | %s − %s | %d | %+.4f | [%+.4f, %+.4f] | %d/%d | %s |' % (
                k, e, r, a, b, len(d), m, m - h, m + h, sum(x < 0 for x in d), len(d), verdict(m, h)))
        if len(per) >= 2:
            pooled_rows.append((k, e, a, b, per))
print('\nAcross regroupings (R regroupings, n training seeds each):\n')
print('| k | evaluation set | contrast | R x n | per-regrouping means | their SD | pooled mean | 95% CI, regrouping as a random effect | '
      'verdict | 95% CI, seed noise only | verdict | between-regrouping SD beyond seed noise |')
print('|---:|---|---|---|---|---|---|---|---|---|---|---|')
for k, e, a, b, per in pooled_rows:
    means, m, h, hs, between = pooled(list(per.values()))
    ns = sorted({len(d) for d in per.values()})
    print('| %d | %s | %s − %s | %d x %s | %s | %.4f | %+.4f | [%+.4f, %+.4f] | %s | [%+.4f, %+.4f] | %s | %.4f |' % (
        k, e, a, b, len(per), '/'.join(str(len(d)) for d in per.values()) if len(ns) > 1 else ns[0],
        ' / '.join('%+.4f' % x for x in means), st.stdev(means), m, m - h, m + h,
        verdict(m, h), m - hs, m + hs, verdict(m, hs), between))
print('\nStratified itself under each regrouping (mean ± 95% t over seeds; − the first regrouping, paired by seed):\n')
print('| k | evaluation set | regrouping | seeds | Stratified | − the first regrouping | 95% CI |')
print('|---:|---|---:|---:|---|---|---|')
for k, e in cells:
    regroupings = sorted({r for kk, ee, r, *_ in loss if (kk, ee) == (k, e)})
    for r in regroupings:
        xs = [float(loss[(k, e, r, 'Stratified', s)]) for s in range(first, last + 1) if (k, e, r, 'Stratified', s) in loss]
        if len(xs) < 2:
            continue
        m, h = ci(xs)
        row = '| %d | %s | %d | %d | %.4f ± %.4f |' % (k, e, r, len(xs), m, h)
        seeds = [s for s in range(first, last + 1) if (k, e, r, 'Stratified', s) in loss and (k, e, regroupings[0], 'Stratified', s) in loss]
        if r != regroupings[0] and len(seeds) >= 2:
            dm, dh = ci([float(loss[(k, e, r, 'Stratified', s)]) - float(loss[(k, e, regroupings[0], 'Stratified', s)]) for s in seeds])
            row += ' %+.4f | [%+.4f, %+.4f] |' % (dm, dm - dh, dm + dh)
        else:
            row += ' | |'
        print(row)
