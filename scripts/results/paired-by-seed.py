#!/usr/bin/env python3
"""Pairs runs by seed across several `rnb experiment` logs (the per-run lines), so that invocations can share one
Stratified (the cpu backend is deterministic: a seed gives the same run in any invocation). docs/RESULTS.md uses it.
Usage: paired-by-seed.py BASE_LABEL BASE_GROUPING(original|regrouped) LOG... ; prints mean +- t95 and each method - base,
paired by seed, then the overheads (measured, counted flops, paper's cost model), mean +- t95."""
import re, sys
from paired_ci import ci, verdict
base_m, base_g, logs = sys.argv[1], sys.argv[2], sys.argv[3:]
runs, over = {}, {}
for f in logs:
    cur = None
    for line in open(f):
        m = re.match(r'run \d+/\d+: (.*) on (original|regrouped).*, seed (\d+)', line)
        if m: cur = (m.group(1), m.group(2), int(m.group(3))); continue
        m = re.match(r'\s+(.*): eval loss ([\d.]+) \| extra work ([\d.]+)% .*, ([\d.e+-]+)% of 6ND \(counted flops\), ([\d.e+-]+)% \(paper', line)
        if m and cur and m.group(1) == cur[0]:
            runs.setdefault(cur[:2], {})[cur[2]] = float(m.group(2))
            over.setdefault(cur[:2], []).append(tuple(float(m.group(i)) for i in (3, 4, 5)))
base = runs[(base_m, base_g)]
print('| method | grouping | eval loss | − %s (%s) | 95%% CI | seeds lower | verdict |' % (base_m, base_g))
print('|---|---|---|---|---|---|---|')
for (m, g), v in runs.items():
    mean, h = ci(list(v.values()))
    row = '| %s | %s | %.4f ± %.4f (seeds %s) |' % (m, g, mean, h, ','.join(map(str, sorted(v))))
    seeds = sorted(set(v) & set(base))
    if (m, g) != (base_m, base_g) and len(seeds) >= 2:
        d = [v[s] - base[s] for s in seeds]
        dm, dh = ci(d)
        row += ' %+.4f | [%+.4f, %+.4f] | %d/%d | %s |' % (dm, dm - dh, dm + dh, sum(x < 0 for x in d), len(d), verdict(dm, dh))
    else:
        row += ' | | | |'
    print(row)
print()
print('| method | grouping | measured % | counted flops % | paper\'s cost model % |')
print('|---|---|---|---|---|')
for k, rows in over.items():
    cols = list(zip(*rows))
    print('| %s | %s | ' % k + ' | '.join('%.3g ± %.2g' % ci(list(c)) for c in cols) + ' |')
