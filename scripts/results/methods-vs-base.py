#!/usr/bin/env python3
"""Every method against a base method on one corpus and evaluation set of a runs CSV (docs/results/*-runs.csv), paired
by training seed: each method's loss (mean ± 95% t half-width over seeds), method − base (mean, 95% t CI, seeds lower,
verdict), then one summary row: per seed, the mean over the SUMMARY methods of (method − base), and the t CI of those
per-seed means (a seed counts only where every SUMMARY method and the base ran). Prints section 4's table rows of
docs/scaling/wordnet-fortunes-followup.md. Runs repeated in several invocations must agree to the digit.
Usage: methods-vs-base.py RUNS_CSV CORPUS EVAL_SET REGROUP_SEED STEPS FIRST_SEED LAST_SEED BASE METHOD,... [SUMMARY,...]"""
import csv, statistics as st, sys
from paired_ci import ci, verdict
runs_csv, corpus, eval_set, regroup, steps, first, last, base = sys.argv[1:9]
first, last = int(first), int(last)
methods = sys.argv[9].split(',')
summary = sys.argv[10].split(',') if len(sys.argv) > 10 else []
loss = {}
for line, r in enumerate(csv.DictReader(open(runs_csv)), start=2):
    if (r['corpus'], r['eval_set'], r['regroup_seed'], r['steps']) != (corpus, eval_set, regroup, steps):
        continue
    seed = int(r['seed'])
    if not first <= seed <= last:
        continue
    if loss.setdefault((r['method'], seed), float(r['eval_loss'])) != float(r['eval_loss']):
        sys.exit('%s:%d: %s seed %d repeats with another loss' % (runs_csv, line, r['method'], seed))
def seeds_of(*ms):
    return [s for s in range(first, last + 1) if all((m, s) in loss for m in ms)]
print('| corpus | evaluation set | method | seeds | eval loss | − %s | 95%% CI | seeds lower | verdict |' % base)
print('|---|---|---|---:|---|---|---|---|---|')
for m in [base] + methods:
    xs = [loss[(m, s)] for s in seeds_of(m)]
    mean, h = ci(xs)
    row = '| %s | %s | %s | %d | %.4f ± %.4f |' % (corpus, eval_set, m, len(xs), mean, h)
    if m != base:
        d = [loss[(m, s)] - loss[(base, s)] for s in seeds_of(m, base)]
        dm, dh = ci(d)
        row += ' %+.4f | [%+.4f, %+.4f] | %d/%d | %s |' % (dm, dm - dh, dm + dh, sum(x < 0 for x in d), len(d), verdict(dm, dh))
    else:
        row += ' | | | |'
    print(row)
if summary:
    d = [st.mean(loss[(m, s)] - loss[(base, s)] for m in summary) for s in seeds_of(base, *summary)]
    dm, dh = ci(d)
    print('| %s | %s | mean of %d settings − %s | %d | | %+.4f | [%+.4f, %+.4f] | %d/%d | %s |' % (
        corpus, eval_set, len(summary), base, len(d), dm, dm - dh, dm + dh, sum(x < 0 for x in d), len(d), verdict(dm, dh)))
