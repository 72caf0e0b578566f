#!/usr/bin/env python3
"""Sums R&B's round statistics (the 'R&B rounds:' line after each run) per setting over seeds, from rnb experiment logs.
Usage: rnb-rounds.py LOG..."""
import re, sys
agg = {}
for f in sys.argv[1:]:
    method = None
    for line in open(f):
        m = re.match(r'run \d+/\d+: (.*) on .*, seed (\d+)', line)
        if m: method = m.group(1); continue
        m = re.match(r'\s+R&B rounds: (\d+); mean L1 change of p per round ([\d.]+); largest proportion ([\d.]+) on average, ([\d.]+) at most'
                     r'(?:; the least-sampled domain had the largest G_ii in (\d+) of (\d+) rounds \(([\d.]+) expected by chance\), and the largest G_ii\'s domain got the most weight next in (\d+))?', line)
        if m and method:
            a = agg.setdefault(method, dict(n=0, rounds=0, l1=0, mean=0, peak=0, least=0, diag=0, chance=0, top=0))
            a['n'] += 1; r = int(m.group(1)); a['rounds'] += r
            a['l1'] += float(m.group(2)) * r; a['mean'] += float(m.group(3)) * r; a['peak'] = max(a['peak'], float(m.group(4)))
            if m.group(5):
                a['least'] += int(m.group(5)); a['diag'] += int(m.group(6)); a['chance'] += float(m.group(7)); a['top'] += int(m.group(8))
print('| setting | seeds | L1 change of p per round | largest proportion mean / peak | least-sampled domain had the largest G_ii | largest G_ii\'s domain got the most weight next |')
print('|---|---|---|---|---|---|')
for k, a in agg.items():
    print('| %s | %d | %.2f | %.2f / %.2f | %d of %d (%.1f by chance) | %d of %d |' % (k, a['n'], a['l1'] / a['rounds'], a['mean'] / a['rounds'], a['peak'],
          a['least'], a['diag'], a['chance'], a['top'], a['diag']))
