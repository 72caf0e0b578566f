#!/usr/bin/env python3
"""The tables of docs/scaling/training-vs-k.md's "Lambda 16 and the floor on WordNet and Fortunes": from runs CSVs
(docs/results/*-runs.csv columns), the runs of STEPS steps under the regroupings R (regroup_seed; comma-separated),
training seeds FIRST..LAST, per corpus, k, evaluation set and regrouping: each method's loss (mean ± 95% t
half-width), then the contrasts A - B paired by seed (mean, 95% t CI, seeds lower, verdict, the two-sided paired t
p-value and whether it is below 0.05 / M, M the plan's count of primary contrasts), and the largest loss above the
seed's Stratified per method; where a cell ran under several regroupings, each contrast pooled over them as
regrouping-contrasts.py pools (the mean of the per-regrouping means, its t CI on R - 1 df with the regrouping as a
random effect, beside the CI from seed noise alone).
Runs repeated across the CSVs must agree to the digit (the cpu backend is deterministic).
Usage: wnlambda-table.py STEPS R[,R...] FIRST LAST M A:B,... CSV..."""
import csv, statistics as st, sys
from scipy import stats
from paired_ci import ci, contrasts, pooled, verdict

steps, regroups, first, last, m_primary = sys.argv[1], sys.argv[2].split(','), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
CONTRASTS = contrasts(sys.argv[6])


loss, methods = {}, {}
for path in sys.argv[7:]:
    for line, r in enumerate(csv.DictReader(open(path)), start=2):
        seed = int(r['seed'])
        if r['steps'] != steps or r['regroup_seed'] not in regroups or not first <= seed <= last:
            continue
        cell = (r['corpus'], int(r['k_asked']), r['eval_set'], int(r['regroup_seed']))
        if loss.setdefault(cell + (r['method'], seed), r['eval_loss']) != r['eval_loss']:
            sys.exit('%s:%d: %s seed %d repeats with another loss' % (path, line, cell + (r['method'],), seed))
        methods.setdefault(cell, [])
        if r['method'] not in methods[cell]:
            methods[cell].append(r['method'])


def losses(cell, method):
    return {s: float(loss[cell + (method, s)]) for s in range(first, last + 1) if cell + (method, s) in loss}


print('| corpus | k | evaluation set | regrouping | method | seeds | eval loss | worst seed − Stratified |')
print('|---|---:|---|---:|---|---:|---|---|')
for cell in sorted(methods):
    base = losses(cell, 'Stratified')
    for method in methods[cell]:
        xs = losses(cell, method)
        m, h = ci(list(xs.values()))
        worst = max(((xs[s] - base[s], s) for s in xs if s in base), default=None)
        print('| %s | %d | %s | %d | %s | %d | %.4f ± %.4f | %s |' % (cell + (method, len(xs), m, h, '' if method == 'Stratified'
              or worst is None else '%+.4f (seed %d)' % worst)))
print('\n| corpus | k | evaluation set | regrouping | contrast | seeds | difference | 95%% CI | seeds lower | verdict | p | p < 0.05/%d |'
      % m_primary)
print('|---|---:|---|---:|---|---:|---|---|---|---|---|---|')
by_cell = {}
for cell in sorted(methods):
    for a, b in CONTRASTS:
        xa, xb = losses(cell, a), losses(cell, b)
        d = [xa[s] - xb[s] for s in xa if s in xb]
        if len(d) < 2:
            continue
        by_cell.setdefault(cell[:3] + (a, b), []).append(d)
        m, h = ci(d)
        p = stats.ttest_1samp(d, 0.0).pvalue if st.stdev(d) > 0 else float('nan')
        print('| %s | %d | %s | %d | %s − %s | %d | %+.4f | [%+.4f, %+.4f] | %d/%d | %s | %.2g | %s |' % (
            cell + (a, b, len(d), m, m - h, m + h, sum(x < 0 for x in d), len(d), verdict(m, h), p,
                    'yes' if p < 0.05 / m_primary else 'no')))
by_cell = {c: per for c, per in by_cell.items() if len(per) >= 2}
if by_cell:
    print('\n| corpus | k | evaluation set | contrast | R x n | per-regrouping means | pooled mean | 95% CI, regrouping as '
          'a random effect | verdict | 95% CI, seed noise only | verdict |')
    print('|---|---:|---|---|---|---|---|---|---|---|---|')
for (corpus, k, e, a, b), per in by_cell.items():
    means, m, h, hs, _ = pooled(per)
    print('| %s | %d | %s | %s − %s | %d x %s | %s | %+.4f | [%+.4f, %+.4f] | %s | [%+.4f, %+.4f] | %s |' % (
        corpus, k, e, a, b, len(per), '/'.join(str(len(d)) for d in per), ' / '.join('%+.4f' % x for x in means), m,
        m - h, m + h, verdict(m, h), m - hs, m + hs, verdict(m, hs)))
