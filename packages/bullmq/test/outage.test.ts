/**
 * The caller loses Redis while its jobs finish, and the event stream is
 * trimmed before it is back (BullMQ keeps about 10,000 events; a busy queue
 * trims its stream in seconds): the events of those jobs are gone, their
 * outcomes are not. The caller reaches Redis through a proxy the test cuts;
 * the worker machine stays connected.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { createExecutor, WorkerCrashedError } from '@offload/bullmq';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { Tasks } from '../../conformance/dist/fixtures/tasks.js';
import { redisMissing, required, workerMachine } from './cluster.js';

const tasksModule = new URL('../../conformance/dist/fixtures/tasks.js', import.meta.url);
const why = redisMissing();
if (why && !required) console.log(`[offload] skipping bullmq outage tests: ${why}. Set OFFLOAD_REQUIRE_RUNTIMES=1 to make this a failure.`);

/** A TCP proxy to Redis that can be cut (every connection dropped, new ones refused) and restored on the same port. */
async function cuttableProxy(target: string): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (p: number) => new Promise<void>((resolve) => server.listen(p, '127.0.0.1', resolve));
  await listen(0);
  const own = (server.address() as { port: number }).port;
  const cut = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  return { url: `redis://127.0.0.1:${own}`, cut, restore: () => listen(own), close: () => (server.listening ? cut() : Promise.resolve()) };
}

/** Finished jobs of the queue, read directly from Redis. */
const finished = async (queue: Queue) => {
  const { completed = 0, failed = 0 } = await queue.getJobCounts('completed', 'failed');
  return completed + failed;
};

/**
 * An executor on `queue` that reaches Redis through a proxy. `away(jobs)` cuts
 * it off until `jobs` more jobs have finished (as read directly from Redis),
 * trims the event stream, and lets it back; `outcomes(fs)` waits at most 15 s.
 */
async function callerCutOff(url: string, queue: string) {
  const proxy = await cuttableProxy(url);
  const admin = new Redis(url);
  const watcher = new Queue(queue, { connection: { url } });
  const ex = createExecutor<Tasks>(tasksModule, { connection: proxy.url, queue });
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    ex,
    watcher,
    async away(jobs: number) {
      const before = await finished(watcher);
      await proxy.cut();
      await expect.poll(() => finished(watcher), { timeout: 10_000, interval: 50 }).toBe(before + jobs);
      await admin.xtrim(`bull:${queue}:events`, 'MAXLEN', 0);
      await proxy.restore();
    },
    outcomes(fs: Promise<unknown>[]) {
      const late = new Promise((r) => {
        timer = setTimeout(() => r('still pending 15 s after the caller was back'), 15_000);
      });
      return Promise.race([Promise.allSettled(fs), late]);
    },
    async [Symbol.asyncDispose]() {
      clearTimeout(timer);
      await ex.shutdown({ cancelRunning: true });
      await proxy.close();
      await watcher.close();
      admin.disconnect();
    },
  };
}

describe.skipIf(Boolean(why) && !required)('bullmq: a caller cut off from Redis', () => {
  const queue = 'outage';
  const machine = workerMachine(queue, tasksModule, why);

  it('jobs that finished while it was away, their events trimmed: each Future settles from its job, with its result or its error', async () => {
    await using caller = await callerCutOff(machine.url, queue);
    const { ex } = caller;
    // The machine has 2 slots: the two sleeps run first, the failing task after them, all while the caller is away.
    const a = ex.submit('sleep', [800, 'a']);
    const b = ex.submit('sleep', [800, 'b']);
    const c = ex.submit('rejectValue', [new RangeError('after the sleeps')]);
    await expect.poll(() => a.running() && b.running(), { timeout: 10_000, interval: 10 }).toBe(true);
    await caller.away(3);
    expect(await caller.outcomes([a, b, c])).toEqual([
      { status: 'fulfilled', value: 'a' },
      { status: 'fulfilled', value: 'b' },
      { status: 'rejected', reason: expect.any(RangeError) },
    ]);
    expect(await ex.submit('add', [40, 2])).toBe(42);
  }, 60_000);

  it('a generator that finished while it was away, its items trimmed with the events: the stream fails with WorkerCrashedError (it does not end short); a plain task called through `tasks` settles with its result', async () => {
    await using caller = await callerCutOff(machine.url, queue);
    const { ex } = caller;
    const plain = ex.tasks.sleep(800, 'p');
    const items: unknown[] = [];
    const read = (async () => {
      for await (const item of ex.stream('ticker', [3, 300])) items.push(item);
    })();
    read.catch(() => {});
    await expect.poll(() => caller.watcher.getActiveCount(), { timeout: 10_000, interval: 10 }).toBe(2);
    await caller.away(2);
    expect(await caller.outcomes([plain, read])).toEqual([
      { status: 'fulfilled', value: 'p' },
      { status: 'rejected', reason: expect.any(WorkerCrashedError) },
    ]);
    expect(items.length).toBeLessThan(3);
  }, 60_000);
});
