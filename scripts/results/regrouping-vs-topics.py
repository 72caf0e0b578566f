#!/usr/bin/env python3
"""Describes `rnb regroup` folders of a topic-labelled corpus, one markdown row each, the columns of the WordNet
regrouping table of docs/scaling/hierarchy-study.md: Lloyd passes, silhouette, training examples per cluster, purity
(the share of training examples in their cluster's majority topic), ARI / NMI against the topics (rnb's own, from
summary.json), the clusters the evaluation sets fall into, and the share of the skewed topics among the training
examples of the skewed set's clusters.
The regroup's --eval must be the in-distribution set's N lines then the skewed set's N (wordnet-topics.mjs' eval-both).
Usage: regrouping-vs-topics.py TRAIN.jsonl SKEWED_TOPICS(comma-separated) REGROUP_DIR..."""
import json, statistics as st, sys
from collections import Counter
train_jsonl, skewed_topics, dirs = sys.argv[1], set(sys.argv[2].split(',')), sys.argv[3:]
topics = [json.loads(line)['domain'] for line in open(train_jsonl)]
print('| regrouping | k | Lloyd passes | silhouette | training examples per cluster (min / median / mean / max) '
      '| clusters with <= 2 | purity | ARI / NMI against the topics | clusters the skewed / in-distribution set falls into '
      '| skewed topics\' share of the training examples in the skewed set\'s clusters (of them) |')
print('|---|---:|---:|---:|---|---:|---:|---|---|---|')
for d in dirs:
    s = json.load(open(d + '/summary.json'))
    train = [int(x) for x in open(d + '/train_domains.txt')]
    ev = [int(x) for x in open(d + '/eval_domains.txt')]
    if len(train) != len(topics) or len(ev) % 2:
        sys.exit('%s: %d training lines against %d in %s, or an odd evaluation count %d' % (d, len(train), len(topics), train_jsonl, len(ev)))
    sizes = sorted(Counter(train).values())
    by_cluster = {}
    for c, t in zip(train, topics):
        by_cluster.setdefault(c, Counter())[t] += 1
    purity = sum(max(c.values()) for c in by_cluster.values()) / len(train)
    half = len(ev) // 2
    random_clusters, skewed_clusters = set(ev[:half]), set(ev[half:])
    in_skewed = [t for c, t in zip(train, topics) if c in skewed_clusters]
    share = sum(t in skewed_topics for t in in_skewed) / len(in_skewed)
    overall = sum(t in skewed_topics for t in topics) / len(topics)
    o = s['original_domains']
    print('| %s | %d | %d | %.4f | %d / %g / %.1f / %d | %d | %.3f | %.3f / %.3f | %d / %d | %.0f %% of %d (%.1f %% overall) |' % (
        d.rstrip('/').split('/')[-1], s['k'], s['iterations'], s['silhouette'], sizes[0], st.median(sizes), st.mean(sizes),
        sizes[-1], sum(x <= 2 for x in sizes), purity, o['adjusted_rand_index'], o['normalized_mutual_information'],
        len(skewed_clusters), len(random_clusters), 100 * share, len(in_skewed), 100 * overall))
