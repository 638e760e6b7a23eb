/**
 * Anyone with the Redis connection can edit a job's data between the caller's
 * `add` and a worker taking it (`job.updateData`). A field out of its range
 * never leaves the job running forever on a worker machine, nor its Future
 * waiting: the job is refused with WorkerInitError, and the machine keeps serving.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createExecutor, WorkerInitError } from '@offload/bullmq';
import { Queue } from 'bullmq';
import { stringify } from 'devalue';
import { describe, expect, it } from 'vitest';
import { redisForBlock, redisMissing, required, startWorkerProcess } from './cluster.js';

const effects = new URL('./fixtures/effects.mjs', import.meta.url);
const why = redisMissing();
if (why && !required) console.log(`[offload] skipping bullmq edited-job-data tests: ${why}. Set OFFLOAD_REQUIRE_RUNTIMES=1 to make this a failure.`);

describe.skipIf(Boolean(why) && !required)('bullmq: a job whose data another client edited', () => {
  const redis = redisForBlock('edited', why);

  it('fields out of range (a stream credit below 1, a fraction, arguments that are not a list) are refused with WorkerInitError; the machine keeps serving', async () => {
    const queue = 'edited';
    await using ex = createExecutor(effects, { connection: redis.url, queue });
    const edits: Record<string, unknown>[] = [{ s: -5 }, { s: 0 }, { s: 0.5 }, { c: 1, a: stringify(5) }, { a: stringify('not a list') }];
    // No worker serves the queue yet: the jobs wait in Redis, where another client edits them.
    const futures: Promise<unknown>[] = [
      ...edits.slice(0, 3).map((_, i) => ex.stream('ticker', [join(redis.dir, `t${i}.txt`), 10]).finished),
      ex.submit('mark', [join(redis.dir, 'chunk.txt'), 'x']),
      ex.submit('mark', [join(redis.dir, 'args.txt'), 'x']),
    ];
    const settled = Promise.allSettled(futures);
    const foreign = new Queue(queue, { connection: { url: redis.url } });
    try {
      await expect.poll(() => foreign.getJobCountByTypes('prioritized', 'waiting'), { timeout: 10_000 }).toBe(edits.length);
      const jobs = await foreign.getJobs(['prioritized', 'waiting']);
      jobs.sort((a, b) => Number(a.id?.split('-').pop()) - Number(b.id?.split('-').pop()));
      for (const [i, job] of jobs.entries()) await job.updateData({ ...job.data, ...edits[i] });
    } finally {
      await foreign.close();
    }
    redis.keep(await startWorkerProcess({ url: redis.url, queue, module: fileURLToPath(effects), concurrency: 2 }));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise((r) => {
      timer = setTimeout(() => r('still pending after 15 s'), 15_000);
    });
    const outcomes = (await Promise.race([settled, late])) as PromiseSettledResult<unknown>[];
    clearTimeout(timer);
    expect(outcomes.map((o) => o.status)).toEqual(edits.map(() => 'rejected'));
    for (const o of outcomes) {
      const e = (o as PromiseRejectedResult).reason as Error;
      expect(e).toBeInstanceOf(WorkerInitError);
    }
    expect(await ex.submit('mark', [join(redis.dir, 'after.txt'), 'served'])).toBe('served');
  }, 60_000);
});
