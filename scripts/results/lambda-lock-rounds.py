#!/usr/bin/env python3
"""Where lambda starts to lock the mixture (docs/results/fortuneslambda-plan.md): from each `rnb experiment` log (named
k<K>-<set>-...), the 'R&B rounds' line of every R&B run, per k, evaluation set and method over the seeds: the mean L1
change of p per round, the largest proportion (mean / peak), and three counts. The one-domain value of a run is the
largest proportion p' = softmax(lambda G p / ||G p||), floored by u, takes when G p has one nonzero entry (the state a
round drawn from one domain returns): (1 - u) e^lambda / (e^lambda + k - 1) + u / k. sotu-floor-rounds.py uses that
value's limit for large lambda, (1 - u) + u / k, which lambda 8 at k = 256 cannot reach (0.921), so this lambda-aware
value is needed below 16; at lambda 16 both print the same to 3 decimals. Counted: runs whose printed peak reached the
one-domain value (to the logs' 3 decimals); runs locked (that, with the value at least 0.5, so that a round drew most
of its sequences from one cluster); runs whose peak reached 0.5 by any route.
Usage: lambda-lock-rounds.py LOG..."""
import math, re, sys
from sotu_runs import round_lines


def setting(method, name, default):
    m = re.search(name + r'=(?:auto )?([\d.]+)', method)  # lambda=auto: the value round_lines read from the log
    return float(m.group(1)) if m else default


agg = {}
for k, e, method, l1, mean, peak in round_lines(sys.argv[1:]):
    lam, u = setting(method, 'lambda', 1.0), setting(method, 'uniform', 0.0)
    # e^lambda / (e^lambda + k - 1), written so that large lambda does not overflow
    one = (1 - u) / (1 + (k - 1) * math.exp(-lam)) + u / k
    a = agg.setdefault((k, e, lam, u, method), dict(seeds=0, l1=0.0, mean=0.0, peak=0.0, at=0, lock=0, half=0, one=one))
    a['seeds'] += 1
    a['l1'] += l1
    a['mean'] += mean
    a['peak'] = max(a['peak'], float(peak))
    at = peak == '%.3f' % one
    a['at'] += at
    a['lock'] += at and one >= 0.5
    a['half'] += float(peak) >= 0.5
print('| k | evaluation set | method | seeds | L1 change of p per round | largest proportion mean / peak '
      '| one-domain value | runs at it | runs locked | runs with peak >= 0.5 |')
print('|---:|---|---|---:|---:|---|---|---|---|---|')
for (k, e, lam, u, method), a in sorted(agg.items()):
    n = a['seeds']
    print('| %d | %s | %s | %d | %.3f | %.4f / %.3f | %.3f | %d of %d | %s | %d of %d |'
          % (k, e, method, n, a['l1'] / n, a['mean'] / n, a['peak'], a['one'], a['at'], n,
             '%d of %d' % (a['lock'], n) if a['one'] >= 0.5 else 'cannot (value < 0.5)', a['half'], n))
