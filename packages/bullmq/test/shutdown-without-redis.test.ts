/**
 * A caller that shuts down while Redis is unreachable, or loses Redis while
 * its shutdown waits for its jobs: every Future settles (WorkerCrashedError
 * after `lostAfter`, or CancelledError) and `shutdown()` resolves; neither
 * waits for a Redis that does not come back.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CancelledError, createExecutor, WorkerCrashedError } from '@offload/bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { redisMissing, required, startRedis, startWorkerProcess, stopChild, type TestRedis } from './cluster.js';

const tasksModule = new URL('../../conformance/dist/fixtures/tasks.js', import.meta.url);
const why = redisMissing();
if (why && !required) console.log(`[offload] skipping bullmq shutdown-without-redis tests: ${why}. Set OFFLOAD_REQUIRE_RUNTIMES=1 to make this a failure.`);

/** `p`'s outcome, or 'pending' after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'pending'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'pending'>((r) => {
    timer = setTimeout(() => r('pending'), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe('bullmq: shutdown with Redis unreachable', () => {
  it('shutdown({ cancelRunning }) of a caller that never reached Redis resolves, and its Futures settle', async () => {
    // Nothing listens on port 1.
    const ex = createExecutor(tasksModule, { connection: 'redis://127.0.0.1:1', queue: 'nowhere', lostAfter: 500 });
    const fs = [ex.submit('add', [1, 2]), ex.submit('add', [3, 4])];
    const settled = Promise.allSettled(fs);
    expect(await within(ex.shutdown({ cancelRunning: true }), 10_000)).toBeUndefined();
    const outcomes = await settled;
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof CancelledError)).toBe(true);
  }, 30_000);
});

describe.skipIf(Boolean(why) && !required)('bullmq: Redis lost while shutdown() waits', () => {
  let redis: TestRedis | undefined;
  let worker: ChildProcess | undefined;
  afterAll(async () => {
    if (worker) await stopChild(worker);
    await redis?.stop();
  }, 30_000);

  it('jobs running when Redis goes away after shutdown() was called settle with WorkerCrashedError after lostAfter, and shutdown resolves', async () => {
    if (why) throw new Error(`redis-server is required (CI or OFFLOAD_REQUIRE_RUNTIMES is set) but missing: ${why}`);
    redis = await startRedis();
    const queue = 'lost-while-closing';
    worker = await startWorkerProcess({ url: redis.url, queue, module: fileURLToPath(tasksModule), concurrency: 2 });
    const ex = createExecutor(tasksModule, { connection: redis.url, queue, lostAfter: 1000 });
    const fs = [ex.submit('sleep', [20_000, 'a']), ex.submit('sleep', [20_000, 'b'])];
    const settled = Promise.allSettled(fs);
    await expect.poll(() => fs.every((f) => f.running()), { timeout: 10_000, interval: 20 }).toBe(true);
    const closed = ex.shutdown();
    await stopChild(worker);
    await redis.stop();
    const outcomes = await within(settled, 10_000);
    expect(outcomes).not.toBe('pending');
    for (const o of outcomes as PromiseSettledResult<unknown>[]) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(WorkerCrashedError);
    expect(await within(closed, 10_000)).toBeUndefined();
  }, 60_000);
});
