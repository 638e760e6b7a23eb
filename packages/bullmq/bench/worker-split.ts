/**
 * Where a worker machine's time per job goes: the same jobs (Offload's job
 * data and job options, written by a raw BullMQ caller, the result read from
 * BullMQ's event stream) served by three kinds of worker process of one slot
 * each: `plain` (the task on BullMQ's event loop), `hop` (the task in a
 * node-worker thread, nothing else of Offload) and `offload` (`startWorker()`),
 * interleaved, one task at a time and in bursts. Prints one line per count of
 * worker processes; the figures of the package README's "What bounds
 * throughput" come from it. Needs a build and redis-server:
 * `node --import tsx packages/bullmq/bench/worker-split.ts [1,2,4]`.
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { decode, encode } from '../dist/codec.js';
import { toBullPriority } from '../dist/priority.js';
import { startRedis, startSplitWorkerProcess, startWorkerProcess, stopChild } from '../support/local-cluster.js';

const TASKS = fileURLToPath(new URL('../../bench/dist/tasks.js', import.meta.url));
const KINDS = ['plain', 'hop', 'offload'] as const;
const SAMPLES = 5;
const ONE_AT_A_TIME = 100;
const BURST = 1_000;

/** A raw BullMQ caller writing jobs as an Offload executor does. */
function caller(url: string, queue: string) {
  const q = new Queue(queue, { connection: { url } });
  const events = new QueueEvents(queue, { connection: { url }, lastEventId: '0-0' });
  const waiting = new Map<string, (v: unknown) => void>();
  events.on('completed', ({ jobId, returnvalue }) => {
    waiting.get(jobId)?.(decode(returnvalue as string));
    waiting.delete(jobId);
  });
  const data = (x: number) => ({ m: pathToFileURL(TASKS).href, a: encode([x]), g: 1000 });
  const options = { priority: toBullPriority(0), removeOnComplete: { age: 600 }, removeOnFail: { age: 600 } };
  let next = 0;
  return {
    ready: () => Promise.all([q.waitUntilReady(), events.waitUntilReady()]),
    run: (x: number) =>
      new Promise<unknown>((resolve, reject) => {
        const jobId = `${queue}-${next++}`;
        waiting.set(jobId, resolve);
        q.add('add', data(x), { jobId, ...options }).catch(reject);
      }),
    close: () => Promise.allSettled([events.close(), q.close()]),
  };
}

type Run = (x: number) => Promise<unknown>;

/** µs per task, one at a time. */
async function oneAtATime(run: Run): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < ONE_AT_A_TIME; i++) if ((await run(i)) !== i + 1) throw new Error('wrong result');
  return ((performance.now() - t) * 1000) / ONE_AT_A_TIME;
}

/** µs per task in a burst. */
async function burst(run: Run): Promise<number> {
  const t = performance.now();
  const out = await Promise.all(Array.from({ length: BURST }, (_, i) => run(i)));
  if (out.some((v, i) => v !== i + 1)) throw new Error('wrong result');
  return ((performance.now() - t) * 1000) / BURST;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1] as number;

async function split(count: number): Promise<string> {
  const redis = await startRedis();
  const children: ChildProcess[] = [];
  const callers = KINDS.map((kind) => caller(redis.url, kind));
  try {
    for (let i = 0; i < count; i++)
      for (const kind of KINDS)
        children.push(
          kind === 'offload'
            ? await startWorkerProcess({ url: redis.url, queue: kind, module: TASKS, concurrency: 1 })
            : await startSplitWorkerProcess({ url: redis.url, queue: kind, mode: kind, module: TASKS }),
        );
    await Promise.all(callers.map((c) => c.ready()));
    for (const c of callers) await oneAtATime(c.run);
    const one = KINDS.map(() => [] as number[]);
    const many = KINDS.map(() => [] as number[]);
    for (let s = 0; s < SAMPLES; s++)
      for (const [k, c] of callers.entries()) {
        one[k]?.push(await oneAtATime(c.run));
        many[k]?.push(await burst(c.run));
      }
    const line = (samples: number[][]) => {
      const base = median(samples[0] as number[]);
      return KINDS.map((kind, k) => `${kind} ${median(samples[k] as number[]).toFixed(0)} µs (${(median(samples[k] as number[]) / base).toFixed(2)}x)`).join(
        ', ',
      );
    };
    return `${count} worker process(es) of each kind: one at a time ${line(one)}; burst of ${BURST}, per task ${line(many)}`;
  } finally {
    await Promise.allSettled(callers.map((c) => c.close()));
    await Promise.allSettled(children.map((c) => stopChild(c)));
    await redis.stop();
  }
}

const counts = (process.argv[2] ?? '1,2,4').split(',').map(Number);
for (const count of counts) process.stdout.write(`${await split(count)}\n`);
