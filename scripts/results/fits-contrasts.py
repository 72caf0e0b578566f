#!/usr/bin/env python3
"""regrouping-contrasts.py over one (k, evaluation set) cell whose runs lie in several CSVs: runs CSVs without a
regroup_seed column hold k-means fit 1's runs (e.g. docs/results/sotu-large-k-runs.csv), the others name their fit in
it (e.g. sotu-large-k-regroupings.csv). Merges the cell's rows of the fits listed (default: all) into a temporary CSV
and runs regrouping-contrasts.py on it unchanged (sotu_runs.run_on_rows), so per-fit and pooled tables cover exactly
those fits.
Usage: fits-contrasts.py K EVAL_SET STEPS FIRST_SEED LAST_SEED CONTRASTS FITS|all RUNS_CSV..."""
import csv, sys
from sotu_runs import run_on_rows

k, eval_set, steps, first, last, contrasts, fits = sys.argv[1:8]
COLUMNS = ['k_asked', 'eval_set', 'regroup_seed', 'method', 'seed', 'steps', 'eval_loss']
rows = []
for path in sys.argv[8:]:
    for r in csv.DictReader(open(path)):
        r.setdefault('regroup_seed', '1')
        if (r['k_asked'], r['eval_set'], r['steps']) == (k, eval_set, steps) and (
                fits == 'all' or r['regroup_seed'] in fits.split(',')):
            rows.append({c: r[c] for c in COLUMNS})
if not rows:
    sys.exit('no runs at k = %s, %s, %s steps, fits %s' % (k, eval_set, steps, fits))
run_on_rows('regrouping-contrasts.py', rows, steps, first, last, contrasts)
