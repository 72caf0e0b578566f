#!/usr/bin/env python3
"""Prints an `rnb experiment` results.csv as rows of the docs/results/*-runs.csv files (corpus, eval_set, k_asked,
regroup_seed, domains, steps, seed, method, eval_loss, extra_work_percent_measured, invocation, commit), methods named
as those files name them (Stratified, Natural, R&B, R&B (hier=4)), losses to 6 digits as results.csv has them.
Usage: append-runs.py RESULTS_CSV CORPUS EVAL_SET K_ASKED REGROUP_SEED STEPS INVOCATION COMMIT >> RUNS_CSV"""
import csv, re, sys
results, corpus, eval_set, k_asked, regroup_seed, steps, invocation, commit = sys.argv[1:]
def name(method):
    if method == 'stratified': return 'Stratified'
    if method == 'natural': return 'Natural'
    if method == 'rnb': return 'R&B'
    if method.startswith('rnb:'): return 'R&B (%s)' % method[4:]
    sys.exit('%s: method %r has no name in the runs files' % (results, method))
for line, row in enumerate(csv.DictReader(open(results)), start=2):
    m = re.search(r'k=(\d+)\)$', row['grouping'])
    if not m:
        sys.exit('%s:%d: grouping %r names no k' % (results, line, row['grouping']))
    print(','.join([corpus, eval_set, k_asked, regroup_seed, m.group(1), steps, row['seed'], name(row['method']),
                    row['eval_loss'], row['measured_overhead_pct'], invocation, commit]))
