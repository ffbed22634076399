// The real `dsinfer serve` driven by the official OpenAI SDK for Node (npm package `openai`):
// chat and completions, streaming with usage, n > 1, stop strings, seeds, tools, the reasoning
// split, every error path as the SDK's typed errors, a client that aborts mid-stream (its KV
// blocks freed, seen on /metrics), and SIGTERM with streams in flight.
// Run: DSINFER_BIN=path/to/dsinfer node --test tests/server/openai_sdk.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { startServer } from './server_process.mjs';

let OpenAI;
try {
  ({ default: OpenAI } = await import('openai'));
} catch {
  OpenAI = null;
}
const skip = OpenAI ? false : 'npm package openai is not installed (scripts/setup installs it)';
const here = dirname(fileURLToPath(import.meta.url));
const toolsTemplate = join(here, 'tools_template.jinja');

function clientFor(server, options = {}) {
  return new OpenAI({ baseURL: `${server.base}/v1`, apiKey: 'none', maxRetries: 0, ...options });
}

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('openai SDK against dsinfer serve', { skip }, () => {
  let server;
  let client;
  before(async () => {
    server = await startServer(['--chat-template-file', toolsTemplate, '--max-model-len', '1024']);
    client = clientFor(server);
  });
  after(() => server?.kill());

  it('lists the served model', async () => {
    const models = await client.models.list();
    assert.equal(models.data[0].id, 'dsinfer-tiny');
  });

  it('answers a chat completion with usage', async () => {
    const r = await client.chat.completions.create({
      model: 'dsinfer-tiny',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello!' }],
      max_tokens: 6,
      ignore_eos: true,
    });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.equal(r.choices[0].finish_reason, 'length');
    assert.equal(r.usage.completion_tokens, 6);
    assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + 6);
  });

  it('streams a chat completion with a final usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'dsinfer-tiny',
      messages: [{ role: 'user', content: 'Stream please' }],
      max_tokens: 8,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    });
    let roles = 0;
    let finish = null;
    let usage = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      if (choice.delta.role) roles += 1;
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    assert.ok(chunks >= 2);
    assert.equal(roles, 1);
    assert.equal(finish, 'length');
    assert.equal(usage.completion_tokens, 8);
  });

  it('returns n choices', async () => {
    const r = await client.chat.completions.create({
      model: 'dsinfer-tiny', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 3, n: 3, ignore_eos: true,
    });
    assert.deepEqual(r.choices.map((c) => c.index), [0, 1, 2]);
    assert.equal(r.usage.completion_tokens, 9);
  });

  it('reproduces sampled output with the same seed', async () => {
    const ask = () => client.chat.completions.create({
      model: 'dsinfer-tiny', messages: [{ role: 'user', content: 'Surprise me' }],
      max_tokens: 16, temperature: 1.0, seed: 99, ignore_eos: true,
    });
    const [a, b] = [await ask(), await ask()];
    assert.equal(a.choices[0].message.content, b.choices[0].message.content);
  });

  it('cuts text completions at a stop string', async () => {
    const base = { model: 'dsinfer-tiny', prompt: 'Once upon a time', max_tokens: 24, temperature: 0, ignore_eos: true };
    const full = (await client.completions.create(base)).choices[0].text;
    const m = /[a-z ]{3}/.exec(full.slice(4));
    assert.ok(m, `no ASCII window in ${JSON.stringify(full)}`);
    const r = await client.completions.create({ ...base, stop: [m[0]] });
    assert.equal(r.choices[0].text, full.slice(0, full.indexOf(m[0])));
    assert.equal(r.choices[0].finish_reason, 'stop');
  });

  it('streams text completions', async () => {
    const stream = await client.completions.create({
      model: 'dsinfer-tiny', prompt: 'Hello', max_tokens: 5, ignore_eos: true, stream: true,
      stream_options: { include_usage: true },
    });
    let usage = null;
    let finish = null;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
    }
    assert.equal(usage.completion_tokens, 5);
    assert.equal(finish, 'length');
  });

  it('renders tools through the chat template and accepts tool results', async () => {
    const messages = [{ role: 'user', content: 'Weather in Paris?' }];
    const withTools = await client.chat.completions.create({
      model: 'dsinfer-tiny', messages, tools: [weatherTool], tool_choice: 'auto', max_tokens: 4,
    });
    const without = await client.chat.completions.create({ model: 'dsinfer-tiny', messages, max_tokens: 4 });
    assert.ok(withTools.usage.prompt_tokens > without.usage.prompt_tokens, 'tool definitions reach the prompt');
    const followUp = await client.chat.completions.create({
      model: 'dsinfer-tiny',
      tools: [weatherTool],
      max_tokens: 4,
      messages: [
        ...messages,
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_0', content: '{"sky":"sunny"}' },
      ],
    });
    assert.equal(followUp.object, 'chat.completion');
  });

  it('reports bad fields as BadRequestError naming the param', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'dsinfer-tiny', messages: [{ role: 'user', content: 'x' }], max_tokens: 'ten' }),
      (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === 'max_tokens');
    await assert.rejects(
      client.chat.completions.create({ model: 'dsinfer-tiny', messages: [{ role: 'user', content: 'x' }], top_p: 7 }),
      (e) => e instanceof OpenAI.BadRequestError && e.param === 'top_p');
  });

  it('reports an unknown model as NotFoundError', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
      (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
  });

  it('reports a too-long prompt naming messages', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'dsinfer-tiny', messages: [{ role: 'user', content: 'word '.repeat(1500) }] }),
      (e) => e instanceof OpenAI.BadRequestError && e.code === 'context_length_exceeded' && e.param === 'messages');
  });

  it('answers malformed JSON with the OpenAI error object', async () => {
    const r = await fetch(`${server.base}/v1/chat/completions`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"messages": [',
    });
    assert.equal(r.status, 400);
    const body = await r.json();
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(body.error.code, 'invalid_json');
  });

  it('cancels a request whose client aborts mid-stream and frees its KV blocks', async () => {
    const cancelledBefore = await server.metric('dsinfer_requests_cancelled_total');
    const controller = new AbortController();
    const stream = await client.chat.completions.create({
      model: 'dsinfer-tiny', messages: [{ role: 'user', content: 'A very long story' }],
      max_tokens: 1000, ignore_eos: true, stream: true,
    }, { signal: controller.signal });
    let seen = 0;
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content !== undefined) seen += 1;
        if (seen === 3) {
          assert.ok((await server.metric('dsinfer_kv_cache_blocks_used')) >= 1, 'the stream holds KV blocks');
          controller.abort();
          break;
        }
      }
    } catch (e) {
      assert.ok(e instanceof OpenAI.APIUserAbortError, `unexpected ${e}`);
    }
    assert.equal(seen, 3);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await server.metric('dsinfer_requests_cancelled_total')) !== cancelledBefore + 1) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await server.metric('dsinfer_requests_cancelled_total'), cancelledBefore + 1);
    while (Date.now() < deadline && (await server.metric('dsinfer_kv_cache_blocks_used')) !== 0) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await server.metric('dsinfer_kv_cache_blocks_used'), 0);
    assert.equal(await server.metric('dsinfer_requests_running'), 0);
  });
});

describe('reasoning split (deepseek-r1 chat format)', { skip }, () => {
  let server;
  let client;
  before(async () => {
    server = await startServer(['--chat-format', 'deepseek-r1']);
    client = clientFor(server);
  });
  after(() => server?.kill());

  it('puts the output of an open think block into reasoning_content', async () => {
    const r = await client.chat.completions.create({
      model: 'dsinfer-tiny', messages: [{ role: 'user', content: 'Think first' }], max_tokens: 12, ignore_eos: true,
      temperature: 0, logit_bias: await noThinkEnd(server),
    });
    const m = r.choices[0].message;
    assert.equal(typeof m.reasoning_content, 'string');
    assert.ok(m.reasoning_content.length > 0);
    assert.equal(m.content, '');
  });

  it('splits at </think>: reasoning before it, content after it', async () => {
    const thinkEnd = await tokenId(server, '</think>');
    const r = await client.chat.completions.create({
      model: 'dsinfer-tiny', messages: [{ role: 'user', content: 'Answer directly' }], max_tokens: 3, ignore_eos: true,
      logit_bias: { [thinkEnd]: 100 },
    });
    const m = r.choices[0].message;
    assert.equal(m.reasoning_content, '');
    assert.equal(m.content, '</think></think>', 'a later </think> is plain content');
  });

  it('streams reasoning_content deltas', async () => {
    const stream = await client.chat.completions.create({
      model: 'dsinfer-tiny', messages: [{ role: 'user', content: 'Think' }], max_tokens: 10, ignore_eos: true,
      temperature: 0, logit_bias: await noThinkEnd(server), stream: true,
    });
    let reasoning = '';
    let content = '';
    for await (const chunk of stream) {
      const d = chunk.choices[0]?.delta ?? {};
      reasoning += d.reasoning_content ?? '';
      content += d.content ?? '';
    }
    assert.ok(reasoning.length > 0);
    assert.equal(content, '');
  });
});

describe('keys, rate limits and body limits', { skip }, () => {
  let server;
  before(async () => {
    server = await startServer(['--rate-limit-rps', '0.1', '--rate-limit-burst', '2', '--max-body-bytes', '2000'],
      { DSINFER_API_KEYS: 'sk-sdk-good' });
  });
  after(() => server?.kill());

  it('rejects a bad key with AuthenticationError', async () => {
    const bad = clientFor(server, { apiKey: 'sk-sdk-bad' });
    await assert.rejects(bad.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
  });

  it('rejects an oversized body with 413', async () => {
    const good = clientFor(server, { apiKey: 'sk-sdk-good' });
    await assert.rejects(
      good.chat.completions.create({ model: 'dsinfer-tiny', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }),
      (e) => e instanceof OpenAI.APIError && e.status === 413 && e.code === 'request_too_large');
  });

  it('rate limits a key with RateLimitError and Retry-After', async () => {
    const good = clientFor(server, { apiKey: 'sk-sdk-good' });
    // Transport errors (the 413 above) and bad keys take no token: the burst of 2 is intact.
    await good.models.list();
    await good.models.list();
    await assert.rejects(good.models.list(), (e) => e instanceof OpenAI.RateLimitError &&
      Number(e.headers.get('retry-after')) >= 1);
  });
});

describe('graceful shutdown', { skip }, () => {
  it('drains streams in flight on SIGTERM and exits 0', async () => {
    const server = await startServer(['--drain-timeout', '120']);
    try {
      const client = clientFor(server);
      const streams = await Promise.all([1, 2].map(() => client.chat.completions.create({
        model: 'dsinfer-tiny', messages: [{ role: 'user', content: 'Go on' }], max_tokens: 150, ignore_eos: true, stream: true,
      })));
      const consume = async (stream, onFirst) => {
        let finish = null;
        let first = true;
        for await (const chunk of stream) {
          if (first) { first = false; onFirst(); }
          if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
        }
        return finish;
      };
      let started = 0;
      let stopped;
      const bothStarted = new Promise((resolve) => {
        stopped = () => { started += 1; if (started === 2) resolve(); };
      });
      const results = streams.map((s) => consume(s, stopped));
      await bothStarted;
      const exit = server.stop();
      assert.deepEqual(await Promise.all(results), ['length', 'length']);
      assert.equal(await exit, 0);
    } finally {
      server.kill();
    }
  });
});

async function tokenId(server, text) {
  const r = await fetch(`${server.base}/tokenize`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ prompt: text, add_special_tokens: false }),
  });
  const { tokens } = await r.json();
  assert.equal(tokens.length, 1, `${text} is one token`);
  return tokens[0];
}

// A logit bias that keeps the model from closing its think block (and from ending early).
async function noThinkEnd(server) {
  return { [await tokenId(server, '</think>')]: -100 };
}
