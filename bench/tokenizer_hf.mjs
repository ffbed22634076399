// Encoding throughput of Hugging Face tokenizers (Rust, through the Node binding
// @anush008/tokenizers) on the same inputs as dsinfer_tokenizer_bench, for comparison.
//
// Setup (outside the repository):  mkdir -p /tmp/hf-tok && cd /tmp/hf-tok &&
//                                  npm install @anush008/tokenizers
// Run:  node bench/tokenizer_hf.mjs [--modules /tmp/hf-tok/node_modules] [--golden DIR]
//                                   [--seconds 3]
// Tokenizer: ../shared/golden/tokenizer/deepseek-v3/tokenizer.json.gz (DeepSeek-V3), encoded with
// addSpecialTokens = false (added tokens are matched, like dsinfer's parse_special = true).
// One encode call at a time, so the Rust side runs on one thread.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const modulesDir = resolve(option('--modules', process.env.HF_TOKENIZERS_MODULES ?? '/tmp/hf-tok/node_modules'));
const goldenDir = resolve(option('--golden', process.env.DSINFER_GOLDEN_DIR ?? join(here, '../../shared/golden')));
const seconds = Number(option('--seconds', '3'));

const require = createRequire(join(modulesDir, 'placeholder.js'));
const { Tokenizer } = require('@anush008/tokenizers');

const CORPUS_REPEATS = 64;
const GENERATED_BYTES = 1 << 20;

// Same text as GeneratedText() in bench/tokenizer_bench.cc (same pieces, same LCG).
function generatedText() {
  const pieces = [
    'the', 'of', 'and', 'to', 'in', 'is', 'that', 'for', 'it', 'as', 'was', 'with', 'be',
    'by', 'on', 'not', 'he', 'this', 'are', 'or', 'his', 'from', 'at', 'which', 'but',
    'have', 'an', 'had', 'they', 'you', 'were', 'their', 'one', 'all', 'we', 'can', 'her',
    'has', 'there', 'been', 'if', 'more', 'when', 'will', 'would', 'who', 'so', 'no',
    'model', 'inference', 'tokenizer', 'throughput', 'latency', 'memory', 'attention',
    'Transformer', 'DeepSeek', 'benchmark', 'sequence', 'parallel', 'expert', 'routing',
    'int', 'return', 'const', 'std::vector<int32_t>', 'for (int i = 0; i < n; ++i) {',
    '}', 'if (x == nullptr)', 'auto', 'def', 'self', 'import numpy as np', 'np.zeros((4, 4))',
    'x += 1;', '// comment', '# note', 'printf("%d\\n", x);', '0x7fff', '3.14159',
    '2024', '42', '1,000,000', 'e.g.', 'i.e.', '(see above)', '[1]', '{"key": "value"}',
  ];
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 16;
  };
  const parts = [];
  let bytes = 0;
  while (bytes < GENERATED_BYTES) {
    const piece = pieces[next() % pieces.length];
    const sep = next() % 16;
    const s = piece + (sep === 0 ? '.\n' : sep === 1 ? ', ' : sep === 2 ? '\n    ' : ' ');
    parts.push(s);
    bytes += Buffer.byteLength(s, 'utf8');
  }
  return parts.join('');
}

function corpusText() {
  const lines = readFileSync(join(goldenDir, 'tokenizer/corpus.jsonl'), 'utf8').split('\n');
  const joined = lines.filter((l) => l.length > 0).map((l) => JSON.parse(l).text).join('\n');
  return Array(CORPUS_REPEATS).fill(joined).join('\n');
}

async function measure(tokenizer, name, text) {
  const bytes = Buffer.byteLength(text, 'utf8');
  const first = await tokenizer.encode(text, null, { addSpecialTokens: false });
  const tokens = first.getLength();
  let iterations = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < seconds || iterations < 3) {
    await tokenizer.encode(text, null, { addSpecialTokens: false });
    ++iterations;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const mib = (bytes * iterations) / (1 << 20);
  // CPU time counts every thread of the process (the encode runs on a libuv worker thread); it is
  // what Google Benchmark's bytes_per_second uses too, and is less disturbed by other load.
  console.log(`${name.padEnd(10)} ${(bytes / 1e6).toFixed(3)} MB  ${tokens} tokens  ` +
              `${(elapsed / iterations * 1e3).toFixed(1)} ms/encode  ` +
              `${(mib / cpuSeconds).toFixed(2)} MiB/s (CPU time)  ${(mib / elapsed).toFixed(2)} MiB/s (wall)`);
}

const json = gunzipSync(readFileSync(join(goldenDir, 'tokenizer/deepseek-v3/tokenizer.json.gz')));
const tokenizer = Tokenizer.fromString(json.toString('utf8'));
console.log(`HF tokenizers via @anush008/tokenizers, DeepSeek-V3 tokenizer.json, one thread`);
await measure(tokenizer, 'corpus', corpusText());
await measure(tokenizer, 'generated', generatedText());
