/**
 * The bench row's baselines (support/raw-worker.mjs): a plain BullMQ worker
 * process, and one with BullMQ's sandboxed processor in a worker thread. Both
 * must answer `add` as Offload's worker does, or the row compares nothing.
 */
import { Queue, QueueEvents } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { redisForBlock, redisMissing, required, startRawWorkerProcess } from './cluster.js';

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
});
