/**
 * The server with `--backend bullmq`: a real redis-server and one
 * `offload-worker` process (both started here on free ports and stopped after).
 * `--workers` bounds the jobs the server keeps in BullMQ and `--max-queue` the
 * tasks it holds back beyond them, so the 503 comes where it does with the local pool.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisMissing, required, startRedis, startWorkerProcess, stopChild, type TestRedis } from '../../../packages/bullmq/test/cluster.ts';
import { APP_DIR, serverCommand } from '../src/runtimes.ts';
import { type Server, startServer, until } from './harness.ts';

const why = redisMissing();
if (why && !required) console.log(`[offload] skipping the server's bullmq tests: ${why}. Set OFFLOAD_REQUIRE_RUNTIMES=1 to make this a failure.`);

/** Long enough to still be running while the other requests come and go. */
const LONG_FIB = 40;

describe.skipIf(Boolean(why) && !required)('server on node with --backend bullmq', { timeout: 30_000 }, () => {
  let redis: TestRedis | undefined;
  let worker: ChildProcess | undefined;
  let server: Server | undefined;
  const queue = 'offload-server-test';

  beforeAll(async () => {
    if (why) throw new Error(`redis-server is required (CI or OFFLOAD_REQUIRE_RUNTIMES is set) but missing: ${why}`);
    redis = await startRedis();
    // More slots than --workers: only the server's own bound can hold the jobs back.
    worker = await startWorkerProcess({ url: redis.url, queue, module: join(APP_DIR, 'src', 'tasks.ts'), concurrency: 4 });
    const found = serverCommand('node', ['--port', '0', '--workers', '2', '--max-queue', '8', '--backend', 'bullmq', '--redis', redis.url, '--queue', queue]);
    if (!found.ok) throw new Error(found.reason);
    server = await startServer(found.command, found.args);
  }, 60_000);

  afterAll(async () => {
    server?.kill();
    await server?.exited;
    if (worker) await stopChild(worker);
    await redis?.stop();
  }, 30_000);

  it('computes on the worker machine', async () => {
    const r = await (server as Server).get('/fib/20');
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ n: 20, fib: 6765 });
  });

  it('keeps --workers jobs in BullMQ and answers 503 + Retry-After once 2 run and 8 wait', async () => {
    const s = server as Server;
    const controller = new AbortController();
    const held = Array.from({ length: 10 }, () => s.get(`/fib/${LONG_FIB}`, controller.signal).catch((e: Error) => e));
    try {
      await until(s, (st) => st.running === 2 && st.queued === 8, 'two jobs in BullMQ and eight held back');
      const r = await s.get('/fib/20');
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.json()).toMatchObject({ error: 'queue_full' });
    } finally {
      controller.abort();
      await Promise.all(held);
    }
    await until(s, (st) => st.queued === 0 && st.running === 0, 'the disconnected requests to be cancelled');
  });
});
