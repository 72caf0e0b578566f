#!/usr/bin/env python3
"""How far R&B's mixture moved in the lambda study's runs: from each `rnb experiment` log (named k<K>-<set>-s<STEPS>-...
as the study's run script names them), the 'R&B rounds' line of every R&B run, averaged per k, evaluation set and
method over the seeds (mean L1 change of p per round; largest proportion, mean over rounds, and its peak), with the
largest proportion as a multiple of uniform 1/k, and how many runs put all their mass on one domain in some round
(peak printed as 1.000). The log prints 3 decimals, so at k = 4096 (uniform 0.00024) a
largest proportion below 0.0005 reads 0.000. Usage: sotu-lambda-rounds.py LOG..."""
import re, sys
from sotu_runs import round_lines

agg = {}
for k, e, method, l1, mean, peak in round_lines(sys.argv[1:]):
    a = agg.setdefault((k, e, method), dict(seeds=0, l1=[], mean=[], peak=0.0, one=0))
    a['seeds'] += 1
    a['l1'].append(l1)
    a['mean'].append(mean)
    a['peak'] = max(a['peak'], float(peak))
    a['one'] += peak == '1.000'
print('| k | evaluation set | method | seeds | L1 change of p per round | largest proportion mean / peak '
      '| mean / peak as multiples of uniform | runs at one domain |')
print('|---:|---|---|---:|---:|---|---|---|')
def order(item):
    """k, set, then the method's lambda as a number (1 where it names none), then the name."""
    (k, e, method), _ = item
    lam = re.search(r'lambda=([\d.]+)', method)
    return k, e, float(lam.group(1)) if lam else 1.0, method


for (k, e, method), a in sorted(agg.items(), key=order):
    l1, mean = sum(a['l1']) / a['seeds'], sum(a['mean']) / a['seeds']
    print('| %d | %s | %s | %d | %.3f | %.4f / %.3f | %.1fx / %.1fx | %d of %d |'
          % (k, e, method, a['seeds'], l1, mean, a['peak'], mean * k, a['peak'] * k, a['one'], a['seeds']))
