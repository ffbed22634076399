// Soak: 200 concurrent streaming clients against the real `dsinfer serve` for
// DSINFER_SOAK_SECONDS (default 120) seconds; every request must succeed (429 is the only
// error allowed, and only when configured limits say so), and the resident memory must come
// back to within 10% of its idle value (measured after a short warm-up, so that one-time
// allocations such as thread caches count as idle) once the load stops.
// Run: DSINFER_BIN=path/to/dsinfer node --test tests/server/soak.test.mjs
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server_process.mjs';

const CLIENTS = Number(process.env.DSINFER_SOAK_CLIENTS ?? 200);
const SECONDS = Number(process.env.DSINFER_SOAK_SECONDS ?? 120);

async function streamOnce(base, counts) {
  const r = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Say something' }], max_tokens: 8, stream: true }),
  });
  if (r.status === 429) { counts.limited += 1; await r.text(); return; }
  if (r.status !== 200) { counts.errors.push(`HTTP ${r.status}: ${await r.text()}`); return; }
  const text = await r.text();
  if (!text.endsWith('data: [DONE]\n\n')) { counts.errors.push(`truncated stream: ${text.slice(-200)}`); return; }
  counts.ok += 1;
}

async function load(base, seconds, counts) {
  const until = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (Date.now() < until) {
      try {
        await streamOnce(base, counts);
      } catch (e) {
        counts.errors.push(String(e));
      }
    }
  }));
}

const settle = () => new Promise((r) => setTimeout(r, 3000));

it(`survives ${CLIENTS} concurrent streaming clients for ${SECONDS} s`, { timeout: (SECONDS + 120) * 1000 }, async () => {
  const server = await startServer(['--threads', '2']);
  try {
    const warm = { ok: 0, limited: 0, errors: [] };
    await load(server.base, 5, warm);
    await settle();
    const idle = await server.metric('dsinfer_process_resident_memory_bytes');
    const counts = { ok: 0, limited: 0, errors: [] };
    await load(server.base, SECONDS, counts);
    await settle();
    const after = await server.metric('dsinfer_process_resident_memory_bytes');
    console.log(`# ${counts.ok} streams, ${counts.limited} limited, ${counts.errors.length} errors; ` +
      `RSS idle ${(idle / 2 ** 20).toFixed(1)} MiB, after ${(after / 2 ** 20).toFixed(1)} MiB`);
    assert.deepEqual(counts.errors.slice(0, 5), []);
    assert.equal(counts.limited, 0, 'no limits are configured, so nothing is refused');
    assert.ok(counts.ok > CLIENTS, 'every client completed streams');
    assert.ok(after <= idle * 1.10, `RSS ${after} is within 10% of idle ${idle}`);
    assert.equal(await server.metric('dsinfer_kv_cache_blocks_used'), 0);
    // Clients close their idle keep-alive connections after a few seconds, and the server closes
    // any that linger after its 60 s idle timeout; after that no session may be left.
    // The value is taken from the same scrape that ends the wait: a fresh scrape could count a
    // connection of the previous scrape that is still closing.
    const deadline = Date.now() + 70_000;
    let open = await server.metric('dsinfer_http_open_connections');
    while (Date.now() < deadline && open > 1) {
      await new Promise((r) => setTimeout(r, 250));
      open = await server.metric('dsinfer_http_open_connections');
    }
    assert.ok(open <= 1, `only the scrape connection is left (${open} open)`);
  } finally {
    server.kill();
  }
});
