// Turns the npm packages unpacked by scripts/corpora/fetch into rnb JSONL
// ({"text", "domain", ...} per line), a seeded sample of each corpus.
// Usage: node to-jsonl.mjs UNPACKED_DIR OUT_DIR SPAM_DOCS SOTU_DOCS FORTUNE_DIR FORTUNES_PER_TOPIC [SOTU_WORDS]
// SOTU_DOCS may be "all" (every passage, shuffled); SOTU_WORDS (default 150) is
// the passages' minimum length in words, and any other value writes
// sotu-wSOTU_WORDS.jsonl instead of sotu.jsonl, so the two can sit side by side.
import fs from "node:fs";
import path from "node:path";
import { rng } from "./seeded-random.mjs";

const [src, out, spamDocs, sotuDocs, fortuneDir, fortunesPerTopic, sotuWordsArg] = process.argv.slice(2);
const sotuWords = Number(sotuWordsArg || 150);
if (!Number.isInteger(sotuWords) || sotuWords < 1) throw new Error(`SOTU_WORDS must be a positive integer, got ${sotuWordsArg}`);

// A seeded shuffle (seeded-random.mjs), so the sample is the same on every machine.
function sample(items, n, seed) {
  const r = rng(seed), a = items.slice();
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
  return a.slice(0, n);
}
const words = (s) => s.split(/\s+/).filter((w) => w.length > 0);
function write(name, rows) {
  fs.writeFileSync(path.join(out, name), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const counts = {};
  for (const r of rows) counts[r.domain] = (counts[r.domain] || 0) + 1;
  console.log(`${name}: ${rows.length} documents`, counts);
}

// SpamAssassin: the body of each mail (headers dropped, HTML tags stripped,
// at most 300 words); domain spam or ham, group = the corpus folder.
{
  const dir = path.join(src, "spam-assassin/package/data");
  const rows = [];
  for (const group of fs.readdirSync(dir).filter((g) => fs.statSync(path.join(dir, g)).isDirectory()).sort()) {
    for (const f of fs.readdirSync(path.join(dir, group)).filter((f) => f.endsWith(".json")).sort()) {
      const mail = JSON.parse(fs.readFileSync(path.join(dir, group, f), "utf8")).text;
      const cut = mail.indexOf("\n\n");
      const body = (cut < 0 ? "" : mail.slice(cut + 2)).replace(/<[^>]*>/g, " ").replace(/&nbsp;/g, " ");
      const w = words(body);
      if (w.length < 20) continue;
      rows.push({ text: w.slice(0, 300).join(" "), domain: group.startsWith("spam") ? "spam" : "ham", group });
    }
  }
  write("spamassassin.jsonl", sample(rows, Number(spamDocs), 1));
}

// State of the Union: each address cut into passages of whole sentences,
// each closed at the first sentence end at or past SOTU_WORDS words (150: about
// 150-250 words; 40: about 40-80, 59 on average) and an address's shorter
// tail dropped; domain = the era (50-year span), party kept.
{
  const dir = path.join(src, "sotu/package/data");
  const rows = [];
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const a = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
    const era = a.year < 1850 ? "1790-1849" : a.year < 1900 ? "1850-1899" : a.year < 1950 ? "1900-1949" : a.year < 2000 ? "1950-1999" : "2000-2021";
    const sentences = a.text.match(/[^.!?]+[.!?]+["')\]]*\s*/g) || [];
    let passage = [];
    for (const s of sentences) {
      passage.push(s.trim());
      if (words(passage.join(" ")).length >= sotuWords) {
        rows.push({ text: passage.join(" "), domain: era, party: a.party, year: a.year, president: a.name });
        passage = [];
      }
    }
  }
  write(sotuWords === 150 ? "sotu.jsonl" : `sotu-w${sotuWords}.jsonl`, sample(rows, sotuDocs === "all" ? rows.length : Number(sotuDocs), 2));
}

// Fortunes: the entries of eight topic files of fortune-mod ("%" lines
// separate them), whitespace collapsed, at least 5 words; domain = the file,
// a seeded sample of at most FORTUNES_PER_TOPIC entries per file.
{
  const rows = [];
  for (const [i, topic] of ["computers", "food", "law", "medicine", "politics", "science", "sports", "startrek"].entries()) {
    const entries = fs.readFileSync(path.join(fortuneDir, topic), "utf8").split(/^%$/m)
      .map((e) => words(e).join(" ")).filter((e) => words(e).length >= 5);
    for (const text of sample(entries, Number(fortunesPerTopic), 3 + i)) rows.push({ text, domain: topic });
  }
  write("fortunes.jsonl", rows);
}
