// Client half of tests/deploy/stack_test.sh: the official OpenAI SDK over HTTPS through nginx.
// Usage: NODE_EXTRA_CA_CERTS=CA node stack_client.mjs BASE_URL COUNT
// Sends COUNT rounds of (non-streaming chat, streaming chat, streaming completion) and fails on
// any error; prints one JSON summary line.
import assert from 'node:assert/strict';

let OpenAI;
try {
  ({ default: OpenAI } = await import('openai'));
} catch {
  console.log('SKIP: npm package openai is not installed (scripts/setup installs it)');
  process.exit(77);
}
const [base, countArg] = process.argv.slice(2);
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'none', maxRetries: 0, timeout: 60000 });
const rounds = Number(countArg ?? 4);
const summary = { chat: 0, streamedChat: 0, streamedCompletion: 0, requestIds: [] };

for (let i = 0; i < rounds; i++) {
  const { data: chat, response } = await client.chat.completions
    .create({ model: 'dsinfer-tiny', messages: [{ role: 'user', content: `Hello ${i}` }], max_tokens: 4 })
    .withResponse();
  assert.equal(chat.object, 'chat.completion');
  assert.ok(chat.usage.completion_tokens >= 1 && chat.usage.completion_tokens <= 4);
  const rid = response.headers.get('x-request-id');
  assert.ok(rid, 'nginx must hand an X-Request-Id through');
  summary.requestIds.push(rid);
  summary.chat++;

  // Seeded: an unseeded sample from the random-weight demo model may be the end-of-sequence
  // token first, and a reply that ends at once is one chunk (seen once in CI).
  const stream = await client.chat.completions.create({
    model: 'dsinfer-tiny', messages: [{ role: 'user', content: `Stream ${i}` }], max_tokens: 6, stream: true,
    seed: 1000 + i,
  });
  let chunks = 0;
  let finish = null;
  for await (const chunk of stream) {
    chunks++;
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert.ok(chunks >= 2, `streamed chat: ${chunks} chunks`);
  assert.ok(['length', 'stop'].includes(finish), `streamed chat finish_reason ${finish}`);
  summary.streamedChat++;

  const cstream = await client.completions.create({
    model: 'dsinfer-tiny', prompt: `Once upon ${i}`, max_tokens: 5, stream: true,
  });
  let cchunks = 0;
  let cfinish = null;
  for await (const chunk of cstream) {
    cchunks++;
    cfinish = chunk.choices[0]?.finish_reason ?? cfinish;
  }
  assert.ok(cchunks >= 1, `streamed completion: ${cchunks} chunks`);
  assert.ok(['length', 'stop'].includes(cfinish), `streamed completion finish_reason ${cfinish}`);
  summary.streamedCompletion++;
}
console.log(JSON.stringify(summary));
