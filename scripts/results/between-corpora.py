#!/usr/bin/env python3
"""One paired contrast A - B in two cells of a runs CSV (docs/results/*-runs.csv), each cell a corpus and evaluation set
under one regrouping, and the difference of the two contrasts between the cells: unpaired (the cells' seeds train
different models), with Welch's t interval. docs/SCALING.md's Fortunes study asks with it whether the best G follows
the topic count (G = 4 - G = 16 on the 4-topic corpus against the 16-topic one; the hypothesis predicts it negative).
Usage: between-corpora.py RUNS_CSV STEPS FIRST_SEED LAST_SEED A B CORPUS1:EVAL1 CORPUS2:EVAL2 [REGROUP_SEED (default 1)]
(A and B are methods as the CSV names them: Stratified, R&B, R&B (hier=4))"""
import csv, statistics as st, sys
from scipy import stats
from paired_ci import ci, verdict
runs_csv, steps, first, last, a, b, c1, c2 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), *sys.argv[5:9]
regroup = sys.argv[9] if len(sys.argv) > 9 else '1'
loss = {}
for line, r in enumerate(csv.DictReader(open(runs_csv)), start=2):
    if r['steps'] != steps or r['regroup_seed'] != regroup or not first <= int(r['seed']) <= last:
        continue
    key = (r['corpus'] + ':' + r['eval_set'], r['method'], int(r['seed']))
    old = loss.setdefault(key, r['eval_loss'])
    # a repeated run must agree to the digits both print (a few losses were read from a log, to 4 digits)
    short, long_ = sorted((old, r['eval_loss']), key=len)
    if round(float(long_), len(short.split('.')[1])) != float(short):
        sys.exit('%s:%d: %s repeats with loss %s against %s' % (runs_csv, line, key, r['eval_loss'], old))
    loss[key] = long_
def paired(cell):
    seeds = [s for s in range(first, last + 1) if (cell, a, s) in loss and (cell, b, s) in loss]
    if len(seeds) < 2:
        sys.exit('%s: fewer than 2 seeds with both %s and %s' % (cell, a, b))
    return [float(loss[(cell, a, s)]) - float(loss[(cell, b, s)]) for s in seeds]
d1, d2 = paired(c1), paired(c2)
print('| cell | %s − %s | 95%% CI | seeds lower |' % (a, b))
print('|---|---|---|---|')
for cell, d in ((c1, d1), (c2, d2)):
    m, h = ci(d)
    print('| %s | %+.4f | [%+.4f, %+.4f] | %d/%d |' % (cell, m, m - h, m + h, sum(x < 0 for x in d), len(d)))
v1, v2 = st.variance(d1) / len(d1), st.variance(d2) / len(d2)
df = (v1 + v2) ** 2 / (v1 ** 2 / (len(d1) - 1) + v2 ** 2 / (len(d2) - 1))
m, h = st.mean(d1) - st.mean(d2), stats.t.ppf(0.975, df) * (v1 + v2) ** 0.5
print('\n%s minus %s: %+.4f [%+.4f, %+.4f] (Welch, %.1f degrees of freedom): %s' % (
    c1, c2, m, m - h, m + h, df, 'negative' if verdict(m, h) == 'better' else 'positive' if verdict(m, h) == 'worse'
    else 'not distinguishable from 0'))
