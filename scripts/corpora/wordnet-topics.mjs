// Builds a WordNet gloss corpus with known topics (topic = the synset's
// lexicographer file: noun.animal, noun.food, verb.motion, ..., 45 in all) for
// the G-rule study of docs/scaling/hierarchy-study.md ("The G rule on WordNet's topics"), from
// Debian's wordnet-base as scripts/corpora/fetch unpacks it (OUT_DIR/deb/wordnet):
//   train.jsonl        TRAIN_N glosses, a seeded sample of all synsets (topics in WordNet's proportions)
//   eval-random.jsonl  EVAL_N further glosses of the same sample: in distribution
//   eval-skewed.jsonl  EVAL_N glosses, EVAL_N / #SKEW_TOPICS of each skewed topic only,
//                      not in training: an evaluation distribution unlike training's
//   eval-both.jsonl    eval-random then eval-skewed, for one rnb regroup run that assigns both
// One record per synset of data.noun, data.verb, data.adj and data.adv:
// {"text": the gloss (definition and examples, whitespace collapsed),
//  "domain": the lexicographer file's name, "synset": POS letter + offset}.
// A gloss text is taken once (a repeated text keeps its first synset in file
// order), glosses of fewer than 3 words are left out. The topic names come
// from the lexnames(5WN) manual page the package ships (it has no lexnames file).
// Usage: node wordnet-topics.mjs WORDNET_ROOT OUT_DIR TRAIN_N EVAL_N SKEW_TOPICS
//   WORDNET_ROOT: the unpacked package (usr/share/wordnet/data.* and usr/share/man/man5/lexnames.5WN.gz under it)
//   SKEW_TOPICS: comma-separated lexicographer file names
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { rng } from "./seeded-random.mjs";

const [root, out, trainArg, evalArg, skewArg] = process.argv.slice(2);
const fail = (message) => { console.error(`wordnet-topics: ${message}`); process.exit(3); };
if (!skewArg) fail("usage: WORDNET_ROOT OUT_DIR TRAIN_N EVAL_N SKEW_TOPICS");
const trainN = Number(trainArg), evalN = Number(evalArg), skewTopics = skewArg.split(",");
if (!Number.isInteger(trainN) || trainN < 1) fail(`TRAIN_N must be a positive integer, got ${trainArg}`);
if (!Number.isInteger(evalN) || evalN < 1 || evalN % skewTopics.length !== 0)
  fail(`EVAL_N must be a positive multiple of the skewed topic count (${skewTopics.length}), got ${evalArg}`);

// lexnames(5WN)'s table: "NN<TAB>name<TAB>contents" lines.
const manPage = path.join(root, "usr/share/man/man5/lexnames.5WN.gz");
if (!fs.existsSync(manPage)) fail(`${manPage}: not found (unpack wordnet-base with scripts/corpora/fetch)`);
const lexnames = new Map();
for (const line of zlib.gunzipSync(fs.readFileSync(manPage)).toString("utf8").split("\n")) {
  const m = /^(\d\d)\t(\S+)\s*\t/.exec(line);
  if (m) lexnames.set(Number(m[1]), m[2]);
}
if (lexnames.size !== 45) fail(`${manPage}: expected 45 lexicographer files, found ${lexnames.size}`);
for (const t of skewTopics) if (![...lexnames.values()].includes(t)) fail(`skewed topic ${t} is not a lexicographer file`);

// data.* lines (wndb(5WN)): "offset lex_filenum ss_type w_cnt ... | gloss"; the licence header lines start with two spaces.
const words = (s) => s.split(/\s+/).filter((w) => w.length > 0);
const taken = new Set(), synsets = [];
for (const pos of ["noun", "verb", "adj", "adv"]) {
  const file = path.join(root, "usr/share/wordnet", `data.${pos}`);
  if (!fs.existsSync(file)) fail(`${file}: not found`);
  fs.readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    if (line.length === 0 || line.startsWith("  ")) return;
    const bar = line.indexOf(" | "), fields = line.split(" ", 3);
    const topic = lexnames.get(Number(fields[1]));
    if (bar < 0 || topic === undefined) fail(`${file}:${i + 1}: no gloss or an unknown lex_filenum`);
    const text = words(line.slice(bar + 3)).join(" ");
    if (words(text).length < 3 || taken.has(text)) return;
    taken.add(text);
    synsets.push({ text, domain: topic, synset: fields[2] + fields[0] });
  });
}

// A seeded shuffle (seeded-random.mjs) of every synset; training and eval-random are its first TRAIN_N + EVAL_N.
const r = rng(20251130);
for (let i = synsets.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [synsets[i], synsets[j]] = [synsets[j], synsets[i]]; }
if (synsets.length < trainN + evalN) fail(`${synsets.length} glosses, too few for ${trainN} training + ${evalN} evaluation`);
const train = synsets.slice(0, trainN), evalRandom = synsets.slice(trainN, trainN + evalN);
const evalSkewed = [];
for (const topic of skewTopics) {
  const rest = synsets.slice(trainN + evalN).filter((s) => s.domain === topic);
  if (rest.length < evalN / skewTopics.length) fail(`${topic}: ${rest.length} glosses left, too few for ${evalN / skewTopics.length}`);
  evalSkewed.push(...rest.slice(0, evalN / skewTopics.length));
}
fs.mkdirSync(out, { recursive: true });
console.log(`${synsets.length} distinct glosses of 3+ words in ${lexnames.size} lexicographer files`);
for (const [name, rows] of [["train.jsonl", train], ["eval-random.jsonl", evalRandom], ["eval-skewed.jsonl", evalSkewed],
                            ["eval-both.jsonl", evalRandom.concat(evalSkewed)]]) {
  fs.writeFileSync(path.join(out, name), rows.map((s) => JSON.stringify(s)).join("\n") + "\n");
  const counts = {};
  for (const s of rows) counts[s.domain] = (counts[s.domain] || 0) + 1;
  const bytes = rows.reduce((a, s) => a + Buffer.byteLength(s.text), 0);
  console.log(`${name}: ${rows.length} glosses, ${bytes} bytes of text, ${Object.keys(counts).length} topics`, JSON.stringify(counts));
}
