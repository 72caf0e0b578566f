// Builds a Fortunes corpus with a chosen, known number of topics (one topic =
// one fortune-mod file) for the topic-count study of docs/scaling/hierarchy-study.md ("Does
// G follow the topic count? Fortunes"), from the files scripts/corpora/fetch
// unpacks (OUT_DIR/deb/fortunes/usr/share/games/fortunes):
//   train.jsonl        TRAIN_PER_TOPIC entries of every topic (balanced)
//   eval-random.jsonl  EVAL_N entries, EVAL_N / #TOPICS of every topic: in distribution
//   eval-skewed.jsonl  EVAL_N entries, EVAL_N / #SKEW_TOPICS of each skewed topic only:
//                      an evaluation distribution unlike training's
//   eval-both.jsonl    eval-random then eval-skewed, for one rnb regroup run that assigns both
// Entries are split on "%" lines, whitespace collapsed, kept at 5 words or more
// (as fetch's fortunes.jsonl), and a text already taken is not taken twice.
// Each topic's entries are shuffled with a seed of the topic's name, so a topic
// contributes the same first entries to every corpus that has it.
// Usage: node fortunes-topics.mjs FORTUNE_DIR OUT_DIR TRAIN_PER_TOPIC EVAL_N TOPICS SKEW_TOPICS
//   TOPICS, SKEW_TOPICS: comma-separated file names; SKEW_TOPICS a subset of TOPICS
import fs from "node:fs";
import path from "node:path";
import { rng } from "./seeded-random.mjs";

const [dir, out, trainArg, evalArg, topicsArg, skewArg] = process.argv.slice(2);
const fail = (message) => { console.error(`fortunes-topics: ${message}`); process.exit(3); };
if (!skewArg) fail("usage: FORTUNE_DIR OUT_DIR TRAIN_PER_TOPIC EVAL_N TOPICS SKEW_TOPICS");
const trainPerTopic = Number(trainArg), evalN = Number(evalArg);
const topics = topicsArg.split(","), skewTopics = skewArg.split(",");
if (!Number.isInteger(trainPerTopic) || trainPerTopic < 1) fail(`TRAIN_PER_TOPIC must be a positive integer, got ${trainArg}`);
if (!Number.isInteger(evalN) || evalN % topics.length !== 0 || evalN % skewTopics.length !== 0)
  fail(`EVAL_N must be a multiple of both topic counts (${topics.length}, ${skewTopics.length}), got ${evalArg}`);
for (const t of skewTopics) if (!topics.includes(t)) fail(`skewed topic ${t} is not among TOPICS`);

// A seeded shuffle (seeded-random.mjs), seeded by the topic's name.
function shuffled(items, name) {
  let seed = 17;
  for (const c of name) seed = Math.imul(seed, 31) + c.charCodeAt(0);
  const r = rng(seed), a = items.slice();
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
  return a;
}
const words = (s) => s.split(/\s+/).filter((w) => w.length > 0);

const taken = new Set();
const train = [], evalRandom = [], evalSkewed = [];
for (const topic of topics) {
  const file = path.join(dir, topic);
  if (!fs.existsSync(file)) fail(`${file}: no such fortune file`);
  const entries = shuffled(fs.readFileSync(file, "utf8").split(/^%$/m)
    .map((e) => words(e).join(" ")).filter((e) => words(e).length >= 5), topic);
  let next = 0;
  const take = (n, into) => {
    for (let got = 0; got < n; next++) {
      if (next >= entries.length) fail(`${file}: ${entries.length} entries of 5+ words, too few for ${trainPerTopic} training + the evaluation shares`);
      if (taken.has(entries[next])) continue;
      taken.add(entries[next]);
      into.push({ text: entries[next], domain: topic });
      got++;
    }
  };
  take(trainPerTopic, train);
  take(evalN / topics.length, evalRandom);
  if (skewTopics.includes(topic)) take(evalN / skewTopics.length, evalSkewed);
}
fs.mkdirSync(out, { recursive: true });
for (const [name, rows] of [["train.jsonl", train], ["eval-random.jsonl", evalRandom], ["eval-skewed.jsonl", evalSkewed],
                            ["eval-both.jsonl", evalRandom.concat(evalSkewed)]]) {
  fs.writeFileSync(path.join(out, name), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const counts = {};
  for (const r of rows) counts[r.domain] = (counts[r.domain] || 0) + 1;
  console.log(`${name}: ${rows.length} entries, ${Object.keys(counts).length} topics`, JSON.stringify(counts));
}
