/**
 * `offload-worker` started before its Redis, or losing it: it says on stderr
 * that it cannot reach Redis (once, not per retry) and keeps trying; once
 * Redis answers it serves the queue and says so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, freePort, REDIS_SERVER, redisMissing, required, stopChild } from './cluster.js';

const tasks = fileURLToPath(new URL('./fixtures/effects.mjs', import.meta.url));
const missing = redisMissing();

/** A child's output so far, and a wait for a text in it. */
function watch(child: ChildProcess, stream: 'stdout' | 'stderr') {
  let text = '';
  child[stream]?.on('data', (d: Buffer) => {
    text += d.toString();
  });
  return {
    get text() {
      return text;
    },
    until(part: string, ms: number): Promise<void> {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          if (text.includes(part)) resolve();
          else if (Date.now() - started > ms) reject(new Error(`no "${part}" within ${ms} ms; got: ${text}`));
          else return;
          clearInterval(poll);
        }, 50);
      });
    },
  };
}

const started: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => stopChild(c)));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(Boolean(missing) && !required)('offload-worker and a Redis that is not there', () => {
  it('says once that it cannot reach Redis, keeps trying, then serves and says Redis is reached', async () => {
    if (missing) throw new Error(`redis-server is required (CI or OFFLOAD_REQUIRE_RUNTIMES is set) but missing: ${missing}`);
    const port = await freePort();
    const worker = spawn(process.execPath, [CLI, '--queue', 'waits', '--redis', `redis://127.0.0.1:${port}`, '--concurrency', '1', tasks], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(worker);
    const err = watch(worker, 'stderr');
    const out = watch(worker, 'stdout');
    await err.until(`cannot reach Redis at 127.0.0.1:${port}`, 15_000);
    // ioredis retries every 50 ms to 2 s: a line per retry would flood the log.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(err.text.split('cannot reach Redis').length - 1).toBe(1);
    expect(worker.exitCode).toBeNull();

    const dir = mkdtempSync(join(tmpdir(), 'offload-redis-late-'));
    dirs.push(dir);
    const redis = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    started.push(redis);
    await out.until('offload-worker: serving queue "waits"', 20_000);
    await err.until(`reached Redis at 127.0.0.1:${port}`, 5_000);
  }, 60_000);
});
