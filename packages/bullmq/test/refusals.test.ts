/**
 * A worker machine that cannot start a kind of job (its task module or init
 * fails there, or the module is outside its --root) gives the job back to the
 * queue for another machine, and says so on its stderr; a job no machine can
 * start still settles, with WorkerInitError.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createExecutor, WorkerInitError } from '@offload/bullmq';
import { describe, expect, it } from 'vitest';
import { CLI, redisForBlock, redisMissing, required, startWorkerProcess } from './cluster.js';

const machine = new URL('./fixtures/machine.mjs', import.meta.url);
const why = redisMissing();
if (why && !required) console.log(`[offload] skipping bullmq refusal tests: ${why}. Set OFFLOAD_REQUIRE_RUNTIMES=1 to make this a failure.`);

const BROKEN = { OFFLOAD_TEST_BROKEN_INIT: '1' };

describe.skipIf(Boolean(why) && !required)('bullmq: a machine that cannot start a job gives it back', () => {
  const redis = redisForBlock('refusals', why);

  /** A worker machine on `queue` named `name`, with `env` added; its stderr is collected. */
  const start = async (queue: string, name: string, env: Record<string, string> = {}, root?: string) => {
    const child = await startWorkerProcess({
      url: redis.url,
      queue,
      module: fileURLToPath(machine),
      root,
      concurrency: 2,
      env: { OFFLOAD_TEST_MACHINE: name, ...env },
    });
    redis.keep(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    return { child, stderr: () => stderr };
  };

  it('jobs whose init throws on one machine all run on the other; the broken machine says why on its stderr', async () => {
    const queue = 'init-fails-on-one';
    await start(queue, 'good');
    const bad = await start(queue, 'bad', BROKEN);
    await using ex = createExecutor(machine, { connection: redis.url, queue });
    const settled = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => ex.submit('where', [i])));
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value : `${(r.reason as Error).name}: ${(r.reason as Error).message}`))).toEqual(
      Array.from({ length: 20 }, (_, i) => `good ${i}`),
    );
    // map() chunks are given back whole.
    const mapped: unknown[] = [];
    for await (const v of ex.map('where', [0, 1, 2, 3, 4, 5, 6, 7], { chunkSize: 2 })) mapped.push(v);
    expect(mapped).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `good ${i}`));
    expect(bad.stderr()).toContain('cannot start task module');
    expect(bad.stderr()).toContain('init refused on this machine');
    expect(ex.stats()).toMatchObject({ completed: 24, failed: 0 });
  });

  it('a machine whose --root does not hold the module gives its jobs to one that does', async () => {
    const queue = 'outside-root';
    await start(queue, 'good');
    const elsewhere = await start(queue, 'elsewhere', {}, redis.dir);
    await using ex = createExecutor(machine, { connection: redis.url, queue });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => ex.submit('where', [i])));
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => `good ${i}`));
    expect(elsewhere.stderr()).toContain('serves task modules under');
  });

  it('a job no machine can start rejects with WorkerInitError, with the cause, once each machine has refused it', async () => {
    const queue = 'init-fails-everywhere';
    await start(queue, 'bad-1', BROKEN);
    await start(queue, 'bad-2', BROKEN);
    await using ex = createExecutor(machine, { connection: redis.url, queue });
    const t0 = Date.now();
    const settled = await Promise.allSettled([ex.submit('where', [1]), ex.submit('where', [2]), ex.submit('where', [3])]);
    for (const r of settled) {
      expect(r.status).toBe('rejected');
      const e = (r as PromiseRejectedResult).reason as Error;
      expect(e).toBeInstanceOf(WorkerInitError);
      expect(e.message).toContain('init refused on this machine');
      expect(e.cause).toBeInstanceOf(Error);
    }
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('offload-worker started on a module that does not exist exits with code 1 and says so', async () => {
    const missing = join(redis.dir, 'missing.mjs');
    const child = spawn(process.execPath, [CLI, '--queue', 'none', '--redis', redis.url, missing], { stdio: ['ignore', 'pipe', 'pipe'] });
    redis.keep(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toContain(`task module ${missing} not found`);
  });
});
