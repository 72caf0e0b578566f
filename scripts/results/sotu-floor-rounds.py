#!/usr/bin/env python3
"""How far the floored mixture moved in the lambda-floor study's runs: from each `rnb experiment` log (named
k<K>-<set>-s<STEPS>-...), the 'R&B rounds' line of every R&B run, averaged per k, evaluation set and method over the
seeds, as sotu-lambda-rounds.py prints it, but counting as "at one domain" the runs whose peak reached the floored
one-domain value (1 - u) + u/k (0.900 at u = 0.1, 0.700 at u = 0.3, 1.000 without a floor, to the logs' 3 decimals):
the round statistics are of the floored p that is trained on, so p' itself sat on one domain in such a round.
Usage: sotu-floor-rounds.py LOG..."""
import re, sys
from sotu_runs import round_lines

agg = {}
for k, e, method, l1, mean, peak in round_lines(sys.argv[1:]):
    u = re.search(r'uniform=([\d.]+)', method)
    u = float(u.group(1)) if u else 0.0
    a = agg.setdefault((k, e, method), dict(seeds=0, l1=[], mean=[], peak=0.0, one=0, top=(1 - u) + u / k))
    a['seeds'] += 1
    a['l1'].append(l1)
    a['mean'].append(mean)
    a['peak'] = max(a['peak'], float(peak))
    a['one'] += peak == '%.3f' % a['top']
print('| k | evaluation set | method | seeds | L1 change of p per round | largest proportion mean / peak '
      '| one-domain value | runs at one domain |')
print('|---:|---|---|---:|---:|---|---|---|')
for (k, e, method), a in sorted(agg.items()):
    print('| %d | %s | %s | %d | %.3f | %.4f / %.3f | %.3f | %d of %d |'
          % (k, e, method, a['seeds'], sum(a['l1']) / a['seeds'], sum(a['mean']) / a['seeds'], a['peak'], a['top'],
             a['one'], a['seeds']))
