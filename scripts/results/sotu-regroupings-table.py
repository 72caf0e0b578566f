#!/usr/bin/env python3
"""Tables of docs/scaling/training-vs-k.md's "More regroupings of State of the Union at k = 1024 and 4096": the State
of the Union runs under several k-means regroupings. Regrouping 1's runs live in sotu-large-k-runs.csv (no
regroup_seed column: one fit per k), the other fits' in sotu-large-k-regroupings.csv (with one). Prints, per fit, the
paired tables of sotu-large-k-table.py, then regrouping-contrasts.py's per-fit and pooled tables (the fit as a random
effect beside seed noise alone) over all fits; both scripts are run unchanged on temporary CSVs (sotu_runs.run_on_rows).
Usage: sotu-regroupings-table.py FIT1_RUNS_CSV REGROUPINGS_CSV STEPS FIRST_SEED LAST_SEED"""
import csv, sys
from sotu_runs import run_on_rows

fit1_csv, more_csv, steps, first, last = sys.argv[1:6]
METHODS = ['Stratified', 'R&B', 'R&B (hier=sqrt)', 'R&B (absent=carry)', 'R&B (absent=grow)']
CONTRASTS = ','.join(['R&B:Stratified', 'R&B (hier=sqrt):Stratified', 'R&B (absent=carry):Stratified',
                      'R&B (absent=grow):Stratified', 'R&B (hier=sqrt):R&B', 'R&B (absent=carry):R&B',
                      'R&B (absent=grow):R&B'])

rows = [dict(r, regroup_seed='1') for r in csv.DictReader(open(fit1_csv)) if r['steps'] == steps]
rows += [r for r in csv.DictReader(open(more_csv)) if r['steps'] == steps]
for fit in sorted({r['regroup_seed'] for r in rows}, key=int):
    print('\nRegrouping %s (k-means seed %s), paired by training seed:\n' % (fit, fit))
    run_on_rows('sotu-large-k-table.py', [r for r in rows if r['regroup_seed'] == fit], steps, first, last,
                ','.join(METHODS))
print()
run_on_rows('regrouping-contrasts.py', rows, steps, first, last, CONTRASTS)
