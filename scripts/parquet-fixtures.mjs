// Writes the Parquet test fixtures under java/src/test/resources/dev/rnb/data/parquet/
// with an independent writer (hyparquet-writer, JavaScript), beside corpus.jsonl
// holding the same examples; CorpusFormatsTest checks that each reads as the JSONL.
// Run (Node 20+), once, when the fixtures change:
//   npm install --prefix /tmp/hpw hyparquet-writer@0.17.0
//   HYPARQUET_WRITER=/tmp/hpw/node_modules/hyparquet-writer/src/node.js node scripts/parquet-fixtures.mjs
import { writeFileSync, mkdirSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const { parquetWriteFile } = await import(process.env.HYPARQUET_WRITER)
const dir = new URL('../java/src/test/resources/dev/rnb/data/parquet/', import.meta.url)
mkdirSync(dir, { recursive: true })

// 1100 examples: two row groups (the writer's first holds 1000 rows); texts with
// escapes, non-ASCII and an empty one; every fifth domain missing (null).
let seed = 7
const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
const words = ['alpha', 'beta', 'γάμμα', 'delta', '数据', 'tab\there', 'quote"s', 'new\nline', 'back\\slash', '😀']
const domains = ['code', 'math', 'prose']
const text = [], domain = [], domainId = []
for (let i = 0; i < 1100; i++) {
  const n = i === 3 ? 0 : 1 + Math.floor(next() * 12)
  text.push(Array.from({ length: n }, () => words[Math.floor(next() * words.length)]).join(' '))
  const d = Math.floor(next() * domains.length)
  domain.push(i % 5 === 4 ? null : domains[d])
  domainId.push(i % 5 === 4 ? null : d)
}
writeFileSync(new URL('corpus.jsonl', dir), text.map((t, i) =>
  JSON.stringify(domain[i] === null ? { text: t } : { text: t, domain: domain[i] })).join('\n') + '\n')

const columns = (d) => [{ name: 'text', data: text, type: 'STRING', nullable: false }, { name: 'domain', data: d, type: d === domain ? 'STRING' : 'INT32' }]
parquetWriteFile({ filename: new URL('corpus-snappy.parquet', dir).pathname, columnData: columns(domain) })
parquetWriteFile({ filename: new URL('corpus-uncompressed-small-pages.parquet', dir).pathname, columnData: columns(domain), codec: 'UNCOMPRESSED', pageSize: 2048 })
parquetWriteFile({ filename: new URL('corpus-gzip.parquet', dir).pathname, columnData: columns(domain), codec: 'GZIP',
  compressors: { GZIP: (bytes) => new Uint8Array(gzipSync(bytes)) } })
writeFileSync(new URL('corpus-int-domains.jsonl', dir), text.map((t, i) =>
  JSON.stringify(domainId[i] === null ? { text: t } : { text: t, domain: domainId[i] })).join('\n') + '\n')
parquetWriteFile({ filename: new URL('corpus-int-domains.parquet', dir).pathname, columnData: columns(domainId) })

// Small seeds for ParquetCorpusFuzzTest: a few rows in each codec, with a null and an id column.
const seeds = new URL('../java/src/test/resources/dev/rnb/data/ParquetCorpusFuzzTestInputs/parquet/', import.meta.url)
mkdirSync(seeds, { recursive: true })
const small = [{ name: 'text', data: ['a', 'bé', ''], type: 'STRING', nullable: false },
  { name: 'domain', data: ['x', null, 'y'], type: 'STRING' }, { name: 'id', data: [1n, 2n, 3n], type: 'INT64' }]
parquetWriteFile({ filename: new URL('snappy.parquet', seeds).pathname, columnData: small })
parquetWriteFile({ filename: new URL('uncompressed.parquet', seeds).pathname, columnData: small, codec: 'UNCOMPRESSED', statistics: false })
parquetWriteFile({ filename: new URL('gzip.parquet', seeds).pathname, columnData: small, codec: 'GZIP',
  compressors: { GZIP: (bytes) => new Uint8Array(gzipSync(bytes)) } })
parquetWriteFile({ filename: new URL('int-domain.parquet', seeds).pathname, codec: 'UNCOMPRESSED', statistics: false,
  columnData: [{ name: 'text', data: ['p', 'q'], type: 'STRING' }, { name: 'domain', data: [7, null], type: 'INT32' }] })
