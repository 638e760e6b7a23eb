/**
 * The bench row's baselines (support/raw-worker.mjs): a plain BullMQ worker
 * process, and one with BullMQ's sandboxed processor in a worker thread; and
 * bench/worker-split.ts's workers (support/split-worker.mjs), which take jobs
 * as an Offload executor writes them. Each must answer `add` as Offload's
 * worker does, or the comparison compares nothing.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../src/codec.js';
import { redisForBlock, redisMissing, required, startRawWorkerProcess, startSplitWorkerProcess } from './cluster.js';

const benchTasks = fileURLToPath(new URL('../../bench/dist/tasks.js', import.meta.url));

const why = redisMissing();
if (why && !required) console.log(`[offload] skipping the bench baselines' test: ${why}. Set OFFLOAD_REQUIRE_RUNTIMES=1 to make this a failure.`);

describe.skipIf(Boolean(why) && !required)("the bench row's raw BullMQ worker processes", () => {
  const redis = redisForBlock('bench-workers', why);

  for (const sandboxed of [false, true]) {
    it(`${sandboxed ? 'sandboxed (useWorkerThreads)' : 'on BullMQ’s event loop'}: answers add(x) with x + 1`, async () => {
      const name = sandboxed ? 'raw-sandboxed' : 'raw';
      redis.keep(await startRawWorkerProcess({ url: redis.url, queue: name, sandboxed }));
      const queue = new Queue(name, { connection: { url: redis.url } });
      const events = new QueueEvents(name, { connection: { url: redis.url } });
      try {
        await events.waitUntilReady();
        const jobs = await Promise.all([41, 1, -1].map((x) => queue.add('add', { x })));
        expect(await Promise.all(jobs.map((j) => j.waitUntilFinished(events, 10_000)))).toEqual([42, 2, 0]);
      } finally {
        await events.close();
        await queue.close();
      }
    }, 30_000);
  }

  for (const mode of ['plain', 'hop'] as const) {
    it(`worker-split's ${mode} worker: answers add(x), written as an Offload executor writes it, with x + 1`, async () => {
      const name = `split-${mode}`;
      redis.keep(await startSplitWorkerProcess({ url: redis.url, queue: name, mode, module: benchTasks }));
      const queue = new Queue(name, { connection: { url: redis.url } });
      const events = new QueueEvents(name, { connection: { url: redis.url } });
      try {
        await events.waitUntilReady();
        const jobs = await Promise.all([41, 1, -1].map((x) => queue.add('add', { m: pathToFileURL(benchTasks).href, a: encode([x]), g: 1000 })));
        const out = await Promise.all(jobs.map((j) => j.waitUntilFinished(events, 10_000)));
        expect(out.map((v) => decode(v as string))).toEqual([42, 2, 0]);
      } finally {
        await events.close();
        await queue.close();
      }
    }, 30_000);
  }
});
