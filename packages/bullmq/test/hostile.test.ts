/**
 * A job's progress is written by whoever holds the Redis connection, not only
 * by Offload's worker: anything another process writes there (a number, null,
 * text that is not Offload's encoding, an encoded value of the wrong shape)
 * is ignored, and the job's Future still settles with the task's real result.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createExecutor } from '@offload/bullmq';
import { Queue } from 'bullmq';
import { stringify } from 'devalue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisMissing, required, startRedis, startWorkerProcess, stopChild, type TestRedis } from './cluster.js';

const effects = new URL('./fixtures/effects.mjs', import.meta.url);
const why = redisMissing();
if (why && !required) console.log(`[offload] skipping bullmq hostile-progress tests: ${why}. Set OFFLOAD_REQUIRE_RUNTIMES=1 to make this a failure.`);

/** What a foreign writer might put in a job's progress. */
const FORGED: unknown[] = [
  5,
  null,
  'not devalue',
  stringify(5),
  stringify(null),
  stringify({ y: 5 }),
  stringify({ y: 'abc' }),
  stringify({ q: 1 }),
  stringify([1, 2]),
];

describe.skipIf(Boolean(why) && !required)('bullmq: progress written by someone else', () => {
  let redis: TestRedis;
  let worker: ChildProcess | undefined;
  let dir: string;
  const queue = 'hostile';

  beforeAll(async () => {
    if (why) throw new Error(`redis-server is required (CI or OFFLOAD_REQUIRE_RUNTIMES is set) but missing: ${why}`);
    dir = mkdtempSync(join(tmpdir(), 'offload-hostile-'));
    redis = await startRedis();
    worker = await startWorkerProcess({ url: redis.url, queue, module: fileURLToPath(effects), concurrency: 2 });
  }, 60_000);

  afterAll(async () => {
    if (worker) await stopChild(worker);
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('junk in a running job’s progress is ignored: the Future settles with its result and the executor keeps working', async () => {
    await using ex = createExecutor(effects, { connection: redis.url, queue });
    const foreign = new Queue(queue, { connection: { url: redis.url } });
    try {
      const trace = join(dir, 'trace.txt');
      const seen: unknown[] = [];
      const f = ex.submit('waitForAbort', [trace, 1500], { onProgress: (v) => seen.push(v) });
      await expect.poll(() => existsSync(trace) && readFileSync(trace, 'utf8'), { timeout: 10_000 }).toBe('started\n');
      const [job] = await foreign.getActive();
      expect(job).toBeDefined();
      for (const junk of FORGED) await job?.updateProgress(junk as number);
      expect(await f).toBe('not aborted');
      expect(seen).toEqual([]);
      expect(await ex.submit('waitForAbort', [join(dir, 'again.txt'), 1])).toBe('not aborted');
    } finally {
      await foreign.close();
    }
  });

  it('junk in a streaming job’s progress adds no item: the items stay the generator’s, in order', async () => {
    await using ex = createExecutor(effects, { connection: redis.url, queue });
    const foreign = new Queue(queue, { connection: { url: redis.url } });
    try {
      const got: unknown[] = [];
      for await (const x of ex.stream('ticker', [join(dir, 'ticker.txt'), 20])) {
        got.push(x);
        if (got.length === 1) {
          const [job] = await foreign.getActive();
          for (const junk of FORGED) await job?.updateProgress(junk as number);
        }
        if (got.length === 10) break;
      }
      expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      await foreign.close();
    }
  });
});
