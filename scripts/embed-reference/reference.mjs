// Reference sentence embeddings for EmbedderReferenceTest, computed by another
// implementation than rnb's: tokenizers.js (JavaScript WordPiece) and
// onnxruntime-node (ONNX Runtime's Node binding). Mean pooling over the
// attention mask, then L2 normalisation, as sentence-transformers does.
// Usage: node reference.mjs MODEL.onnx TOKENIZER.json SENTENCES.txt > OUT.tsv
// One line per sentence: the vector's floats, tab-separated.
import fs from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";

const [modelPath, tokenizerPath, sentencesPath] = process.argv.slice(2);
const tokenizer = new Tokenizer(JSON.parse(fs.readFileSync(tokenizerPath, "utf8")), {});
const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
const sentences = fs.readFileSync(sentencesPath, "utf8").split("\n").filter((s) => s.length > 0);
const maxTokens = 256;
for (const s of sentences) {
  // One sentence per run: no padding, so nothing but the sentence enters the model.
  let ids = tokenizer.encode(s).ids;
  if (ids.length > maxTokens) ids = ids.slice(0, maxTokens - 1).concat(ids.slice(-1));
  const n = ids.length;
  const feeds = {
    input_ids: new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [1, n]),
    attention_mask: new ort.Tensor("int64", new BigInt64Array(n).fill(1n), [1, n]),
  };
  if (session.inputNames.includes("token_type_ids")) {
    feeds.token_type_ids = new ort.Tensor("int64", new BigInt64Array(n), [1, n]);
  }
  const out = await session.run(feeds);
  const h = out.last_hidden_state;
  const d = h.dims[2];
  const v = new Float64Array(d);
  for (let t = 0; t < n; t++) for (let j = 0; j < d; j++) v[j] += h.data[t * d + j];
  let norm = 0;
  for (let j = 0; j < d; j++) { v[j] /= n; norm += v[j] * v[j]; }
  norm = Math.sqrt(norm);
  console.log(Array.from(v, (x) => (x / norm).toPrecision(8)).join("\t"));
}
