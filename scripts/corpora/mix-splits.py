#!/usr/bin/env python3
"""Training and two evaluation sets for the real-corpus mixing experiments (docs/RESULTS.md, "Real corpus"),
from the first N passages of corpora/sotu.jsonl (scripts/corpora/fetch):
  eval-recent.jsonl  EVAL_N passages drawn from 1950-2021 only: an evaluation distribution unlike training's
  eval-random.jsonl  EVAL_N passages drawn at random from the rest: in distribution
  train.jsonl        the rest
  eval-both.jsonl    eval-random then eval-recent, for one rnb regroup run that assigns both
Usage: scripts/corpora/mix-splits.py [SOTU_JSONL (corpora/sotu.jsonl)] [OUT_DIR (corpora/mix)] [N (1000, or all)] [EVAL_N (120)]"""
import json, os, random, sys
from collections import Counter

src = sys.argv[1] if len(sys.argv) > 1 else 'corpora/sotu.jsonl'
out = sys.argv[2] if len(sys.argv) > 2 else 'corpora/mix'
n = sys.argv[3] if len(sys.argv) > 3 else '1000'
eval_n = int(sys.argv[4]) if len(sys.argv) > 4 else 120
rows = [json.loads(line) for line in open(src, encoding='utf-8')]
rows = rows if n == 'all' else rows[:int(n)]
rng = random.Random(14)
recent = set(rng.sample([i for i, r in enumerate(rows) if r['domain'] in ('1950-1999', '2000-2021')], eval_n))
rest = [i for i in range(len(rows)) if i not in recent]
held = set(rng.sample(rest, eval_n))
train = [i for i in rest if i not in held]
os.makedirs(out, exist_ok=True)
for name, ids in [('train.jsonl', train), ('eval-random.jsonl', sorted(held)), ('eval-recent.jsonl', sorted(recent)),
                  ('eval-both.jsonl', sorted(held) + sorted(recent))]:
    with open(os.path.join(out, name), 'w', encoding='utf-8') as f:
        for i in ids:
            f.write(json.dumps(rows[i]) + '\n')
    print(name, len(ids), sorted(Counter(rows[i]['domain'] for i in ids).items()))
