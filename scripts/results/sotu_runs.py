"""What the State of the Union study scripts read, written once: the final losses of runs CSVs and the 'R&B rounds'
lines of `rnb experiment` logs (the tables in docs/scaling/training-vs-k.md come from these); and how a script that
merges rows of several CSVs runs a sibling table script on them."""
import csv, os, re, subprocess, sys, tempfile


def read_losses(paths, steps, loss=None, by_fit=False):
    """{(k, evaluation set, method, seed): final loss} of the sotu-w40 runs of STEPS steps in the CSVs PATHS, added to
    LOSS when given; with BY_FIT the k-means fit comes second, (k, set, fit, method, seed), the fit being a CSV's
    regroup_seed column (a CSV without one holds fit 1's runs). A run repeated with another loss stops the script,
    naming its file and line. Also returns each path's methods in their first-seen order."""
    loss = {} if loss is None else loss
    methods = {}
    for path in paths:
        seen = methods.setdefault(path, [])
        for line, r in enumerate(csv.DictReader(open(path)), start=2):
            if r['corpus'] != 'sotu-w40' or r['steps'] != steps:
                continue
            fit = (int(r.get('regroup_seed') or 1),) if by_fit else ()
            key = (int(r['k_asked']), r['eval_set'], *fit, r['method'], int(r['seed']))
            if loss.setdefault(key, float(r['eval_loss'])) != float(r['eval_loss']):
                sys.exit('%s:%d: %s repeats with another loss' % (path, line, key))
            if r['method'] not in seen:
                seen.append(r['method'])
    return loss, methods


def seed_losses(loss, k, e, m, seeds):
    """Method m's losses at k on evaluation set e (a read_losses map) at every seed, in order, or None where a seed is
    missing."""
    xs = [loss.get((k, e, m, s)) for s in seeds]
    return None if None in xs else xs


def round_lines(logs):
    """Per R&B run in the logs (named k<K>-<set>-...): (k, set, method, mean L1 change of p per round, largest
    proportion on average, its peak as printed); a method with lambda=auto is named with the value the run printed,
    "R&B (lambda=auto 5.10)"."""
    for f in logs:
        k, e = re.match(r'k(\d+)-(\w+)-', os.path.basename(f)).groups()
        method = None
        for line in open(f):
            m = re.match(r'run \d+/\d+: (.*) on .*, seed (\d+)', line)
            if m:
                method = m.group(1)
                continue
            m = re.match(r'\s+R&B rounds: (\d+); mean L1 change of p per round ([\d.]+); '
                         r'largest proportion ([\d.]+) on average, ([\d.]+) at most', line)
            if m and method:
                auto = re.search(r'; lambda auto = ([\d.]+)', line)  # rnb:lambda=auto: the value the run used
                yield (int(k), e, method.replace('lambda=auto', 'lambda=auto ' + auto.group(1)) if auto else method,
                       float(m.group(2)), float(m.group(3)), m.group(4))


def run_on_rows(script, rows, *args):
    """Runs the sibling script SCRIPT (this folder) as `SCRIPT CSV ARGS...` on ROWS (dicts with one set of keys) written
    to a temporary CSV, its output going to this process's. PYTHONHASHSEED is fixed: regrouping-contrasts.py orders the
    cells that tie on its sort key by set iteration order."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'runs.csv')
        with open(path, 'w', newline='') as f:
            w = csv.DictWriter(f, list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
        sys.stdout.flush()
        subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), script), path,
                        *args], check=True, env=dict(os.environ, PYTHONHASHSEED='0'))
