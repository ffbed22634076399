// Starts the real `dsinfer serve` for a Node test: an ephemeral loopback port (read from
// --port-file), a private model cache, and a wait for /readyz. stop() sends SIGTERM and
// resolves with the exit code; kill() is the unconditional cleanup for after() hooks.
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function dsinferBinary() {
  const bin = process.env.DSINFER_BIN;
  if (!bin || !existsSync(bin)) throw new Error('set DSINFER_BIN to the dsinfer binary');
  return bin;
}

export async function startServer(args = [], env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dsinfer-sdk-test-'));
  const portFile = join(dir, 'port');
  const child = spawn(dsinferBinary(),
    ['serve', '--port', '0', '--port-file', portFile, '--model-cache-dir', join(dir, 'cache'),
      ...(args.includes('--threads') ? [] : ['--threads', '1']), ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d.toString(); });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  let alive = true;
  exited.then(() => { alive = false; });

  const deadline = Date.now() + 120_000;
  while (!existsSync(portFile) || readFileSync(portFile, 'utf8').trim() === '') {
    if (!alive) throw new Error(`dsinfer serve exited during start-up:\n${log}`);
    if (Date.now() > deadline) throw new Error(`no port file:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const port = Number(readFileSync(portFile, 'utf8').trim());
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (!alive) throw new Error(`dsinfer serve exited before it was ready:\n${log}`);
    if (Date.now() > deadline) throw new Error(`never ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    port,
    log: () => log,
    // A fresh connection per scrape (Connection: close), so scrapes leave no idle connection.
    metric: async (name) => {
      const text = await new Promise((resolve, reject) => {
        get(`${base}/metrics`, { agent: false }, (res) => {
          let body = '';
          res.on('data', (d) => { body += d; });
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
      const line = text.split('\n').find((l) => l.startsWith(name + ' '));
      return line === undefined ? undefined : Number(line.slice(name.length + 1));
    },
    stop: async () => { if (alive) child.kill('SIGTERM'); return exited; },
    kill: () => {
      if (alive) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
