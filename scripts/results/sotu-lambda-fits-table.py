#!/usr/bin/env python3
"""Tables of docs/scaling/training-vs-k.md's "Lambda 16 under other k-means fits" (State of the Union, 1,000 steps):
per k-means fit (a CSV's regroup_seed column; a CSV without one is fit 1), k and evaluation set, each lambda setting
(`R&B (lambda=X)`, or floored, `R&B (lambda=X:uniform=U)`) − Stratified, − the paper's rule at lambda 1 (`R&B`) and, for lambda 8 / 32, − lambda 16, paired by
training seed over the seeds both rows exist for (mean, 95% t CI, seeds lower, verdict); then lambda 16 − Stratified
and − lambda 1 pooled over the fits: the fit as a random effect (t over the per-fit means, F - 1 df) beside the
seed-noise-only CI (pooled within-fit variance of the paired differences, sum(n - 1) df; both paired_ci.pooled's), for all fits and for the fits
other than EXCLUDE (the fit whose result prompted the question). Rows repeated in several CSVs must agree to the digit
(sotu_runs.read_losses).
Usage: sotu-lambda-fits-table.py EXCLUDE_FIT CSV..."""
import re, sys
from paired_ci import ci, pooled, verdict
from sotu_runs import read_losses

exclude, paths = int(sys.argv[1]), sys.argv[2:]
SETS = {'recent': 'skewed', 'random': 'in distribution'}
loss, _ = read_losses(paths, '1000', by_fit=True)


def lam(method):
    """The lambda a method names (1 for the paper's rule `R&B`; a floored setting counts as its lambda, listed after
    the unfloored one), None for any other method."""
    if method == 'R&B':
        return 1.0
    m = re.fullmatch(r'R&B \(lambda=([\d.]+)(?::uniform=[\d.]+)?\)', method)
    return float(m.group(1)) if m else None


def paired(k, e, f, a, b):
    """a − b per seed, over the seeds both ran."""
    seeds = sorted(s for kk, ee, ff, m, s in loss if (kk, ee, ff, m) == (k, e, f, a) and (k, e, f, b, s) in loss)
    return [loss[(k, e, f, a, s)] - loss[(k, e, f, b, s)] for s in seeds]


def fmt(d):
    m, h = ci(d)
    return '%d | %+.4f | [%+.4f, %+.4f] | %d/%d | %s' % (len(d), m, m - h, m + h, sum(x < 0 for x in d), len(d), verdict(m, h))


settings = sorted({m for *_, m, _ in loss if lam(m) not in (None, 1.0)}, key=lambda m: (lam(m), m))
cells = sorted({(k, e) for k, e, *_ in loss}, key=lambda c: (c[1] != 'recent', c[0]))
fits = sorted({f for _, _, f, _, _ in loss})
print('Per fit, paired by training seed:\n')
print('| k | evaluation set | fit | method | eval loss | contrast | seeds | difference | 95% CI | seeds lower | verdict |')
print('|---:|---|---:|---|---|---|---:|---|---|---|---|')
per = {}
for k, e in cells:
    for m in settings:
        for f in fits:
            xs = [v for (kk, ee, ff, mm, _), v in loss.items() if (kk, ee, ff, mm) == (k, e, f, m)]
            if not xs:
                continue
            mean, h = ci(xs)
            bases = ['Stratified', 'R&B'] + (['R&B (lambda=16)'] if m != 'R&B (lambda=16)' else [])
            for b in bases:
                d = paired(k, e, f, m, b)
                if len(d) < 2:
                    print('| %d | %s | %d | %s | %.4f ± %.4f (%d seeds) | − %s | %d | no partners | | | |'
                          % (k, SETS[e], f, m, mean, h, len(xs), b, len(d)))
                    continue
                per.setdefault((k, e, m, b), {})[f] = d
                print('| %d | %s | %d | %s | %.4f ± %.4f (%d seeds) | − %s | %s |'
                      % (k, SETS[e], f, m, mean, h, len(xs), b, fmt(d)))
print('\nPooled over fits (F fits, n training seeds each; the fit as a random effect, t over the F per-fit means, '
      'F - 1 df; and seed noise only):\n')
print('| k | evaluation set | contrast | fits | F x n | per-fit means | pooled mean | 95% CI, fit as a random effect '
      '| verdict | 95% CI, seed noise only | verdict |')
print('|---:|---|---|---|---|---|---|---|---|---|---|')
for (k, e, m, b), byfit in per.items():
    for label, chosen in (('all', sorted(byfit)), ('without fit %d' % exclude, [f for f in sorted(byfit) if f != exclude])):
        if len(chosen) < 2:
            continue
        ds = [byfit[f] for f in chosen]
        means, mean, h, hs, _ = pooled(ds)
        print('| %d | %s | %s − %s | %s (%s) | %d x %s | %s | %+.4f | [%+.4f, %+.4f] | %s | [%+.4f, %+.4f] | %s |' % (
            k, SETS[e], m, b, label, ', '.join(map(str, chosen)), len(ds), '/'.join(str(len(d)) for d in ds),
            ' / '.join('%+.4f' % x for x in means), mean, mean - h, mean + h, verdict(mean, h),
            mean - hs, mean + hs, verdict(mean, hs)))
