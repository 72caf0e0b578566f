// Does a text's vector depend on its batch mates? "hello world" alone vs in a batch
// with a longer sentence (so it is padded), mean-pooled and normalised, for
// each model given. Usage: node batch-dependence.mjs TOKENIZER.json MODEL.onnx...
import fs from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";
const [tokenizerPath, ...models] = process.argv.slice(2);
const tok = new Tokenizer(JSON.parse(fs.readFileSync(tokenizerPath, "utf8")), {});
async function run(model, sents) {
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const enc = sents.map((x) => tok.encode(x).ids);
  const L = Math.max(...enc.map((e) => e.length)), B = enc.length;
  const ids = new BigInt64Array(B * L), mask = new BigInt64Array(B * L);
  enc.forEach((e, b) => e.forEach((v, t) => { ids[b * L + t] = BigInt(v); mask[b * L + t] = 1n; }));
  const feeds = { input_ids: new ort.Tensor("int64", ids, [B, L]), attention_mask: new ort.Tensor("int64", mask, [B, L]), token_type_ids: new ort.Tensor("int64", new BigInt64Array(B * L), [B, L]) };
  const h = (await s.run(feeds)).last_hidden_state, d = 384, n = enc[0].length, v = new Float64Array(d);
  for (let t = 0; t < n; t++) for (let j = 0; j < d; j++) v[j] += h.data[t * d + j];
  const norm = Math.hypot(...v); return Array.from(v, (x) => x / norm);
}
const a = "hello world";
const b = "The central bank raised interest rates by a quarter point as inflation stayed well above its target for the third year running, and markets fell.";
for (const m of models) {
  const alone = await run(m, [a]), mixed = await run(m, [a, b]);
  console.log(m.split("/").pop(), "max |alone - in batch| =", Math.max(...alone.map((x, i) => Math.abs(x - mixed[i]))).toExponential(2));
}
