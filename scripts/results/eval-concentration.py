#!/usr/bin/env python3
"""How concentrated an evaluation set's proportions p over the k training clusters are, and the lambda at which
R&B's update would put most of p' on one domain if G were diagonal (docs/results/lockrounds-plan.md's addendum).

With G diagonal and equal (G_ii = g for the touched domains), G p / ||G p|| = p / ||p||, so the domain with the
largest evaluation share gets logit lambda c, c = max_i p_i / ||p||_2, against at most 0 for the k - 1 others, and
holds a majority of p' once lambda c > ln(k - 1). So lambda* = ln(k - 1) / c. The real G is not diagonal and a round
touches only some domains; this is the arithmetic a lock is compared with, computed from the evaluation set alone,
before any training. Per `--domains-from` folder (train_domains.txt, eval_domains.txt: one cluster id a line):
k (clusters with a training example), the evaluation set's size, the clusters it falls into, the largest share,
its effective number of clusters exp(entropy), c, and lambda*.
Usage: eval-concentration.py DIR..."""
import collections, math, os, sys

print('| folder | k | evaluation examples | clusters it falls into | largest share | effective clusters | c = max p / ‖p‖ | lambda* = ln(k − 1) / c |')
print('|---|---:|---:|---:|---:|---:|---:|---:|')
for folder in sys.argv[1:]:
    with open(os.path.join(folder, 'train_domains.txt')) as f:
        k = len({line.strip() for line in f if line.strip()})
    with open(os.path.join(folder, 'eval_domains.txt')) as f:
        counts = collections.Counter(line.strip() for line in f if line.strip())
    n = sum(counts.values())
    p = [v / n for v in counts.values()]
    c = max(p) / math.sqrt(sum(x * x for x in p))
    effective = math.exp(-sum(x * math.log(x) for x in p))
    print('| %s | %d | %d | %d | %.3f | %.1f | %.3f | %.1f |' % (
        folder.rstrip('/').split('/')[-1], k, n, len(counts), max(p), effective, c, math.log(k - 1) / c))
