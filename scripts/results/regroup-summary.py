#!/usr/bin/env python3
"""One row per `rnb regroup` folder of a corpus with an eval-both.jsonl (eval-random's N passages then eval-recent's
N, as docs/scaling/training-vs-k.md's State of the Union study builds it): k, Lloyd passes, converged, silhouette,
inertia, clusters used, training passages per cluster (min / median / mean / max), clusters with <= 2, the clusters
the skewed (last N) and in-distribution (first N) evaluation passages fall into, and the share of RECENT-era training
passages in the clusters the skewed set falls into (the skew R&B can exploit).
Usage: regroup-summary.py TRAIN_JSONL N RECENT_DOMAIN,... REGROUP_DIR..."""
import collections, json, statistics as st, sys

train, n, recent = sys.argv[1], int(sys.argv[2]), set(sys.argv[3].split(','))
era = [json.loads(line)['domain'] for line in open(train)]
print('| folder | k | Lloyd passes | converged | silhouette | inertia | clusters used | training passages per cluster '
      '(min / median / mean / max) | clusters with <= 2 | clusters the skewed / in-distribution set falls into | '
      'recent share of the training passages in the skewed set\'s clusters |')
print('|---|---:|---:|---|---:|---:|---:|---|---:|---|---|')
for d in sys.argv[4:]:
    s = json.load(open(d + '/summary.json'))
    train_dom = [int(x) for x in open(d + '/train_domains.txt')]
    eval_dom = [int(x) for x in open(d + '/eval_domains.txt')]
    if len(train_dom) != len(era) or len(eval_dom) != 2 * n:
        sys.exit('%s: %d training / %d evaluation domains, expected %d / %d' % (d, len(train_dom), len(eval_dom), len(era), 2 * n))
    sizes = collections.Counter(train_dom)
    skewed, indist = set(eval_dom[n:]), set(eval_dom[:n])
    inside = [e for e, c in zip(era, train_dom) if c in skewed]
    share = sum(e in recent for e in inside)
    used = sorted(sizes.values())
    print('| %s | %d | %d | %s | %.4f | %.0f | %d | %d / %g / %.1f / %d | %d | %d / %d | %d of %d, %.0f %% (%.0f %% overall) |' % (
        d, s['k'], s['iterations'], s['converged'], s['silhouette'], s['inertia'], len(sizes), used[0], st.median(used),
        st.mean(used), used[-1], sum(x <= 2 for x in used), len(skewed), len(indist), share, len(inside),
        100 * share / len(inside), 100 * sum(e in recent for e in era) / len(era)))
