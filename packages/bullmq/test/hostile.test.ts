/**
 * A job's progress, result and failure are written by whoever holds the Redis
 * connection, not only by Offload's worker: anything another client writes
 * there (a number, null, text that is not Offload's encoding, an encoded value
 * of the wrong shape) never leaves a Future waiting: junk progress is ignored,
 * a result or failure that cannot be decoded rejects with SerializationError.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createExecutor, SerializationError } from '@offload/bullmq';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { stringify } from 'devalue';
import { describe, expect, it } from 'vitest';
import { redisMissing, required, workerMachine } from './cluster.js';

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

describe.skipIf(Boolean(why) && !required)('bullmq: what another client of the queue writes', () => {
  const machine = workerMachine('hostile', effects, why);
  const queue = 'hostile';

  it('junk in a running job’s progress is ignored: the Future settles with its result and the executor keeps working', async () => {
    await using ex = createExecutor(effects, { connection: machine.url, queue });
    const foreign = new Queue(queue, { connection: { url: machine.url } });
    try {
      const trace = join(machine.dir, 'trace.txt');
      const seen: unknown[] = [];
      const f = ex.submit('waitForAbort', [trace, 1500], { onProgress: (v) => seen.push(v) });
      await expect.poll(() => existsSync(trace) && readFileSync(trace, 'utf8'), { timeout: 10_000 }).toBe('started\n');
      const [job] = await foreign.getActive();
      expect(job).toBeDefined();
      for (const junk of FORGED) await job?.updateProgress(junk as number);
      expect(await f).toBe('not aborted');
      expect(seen).toEqual([]);
      expect(await ex.submit('waitForAbort', [join(machine.dir, 'again.txt'), 1])).toBe('not aborted');
    } finally {
      await foreign.close();
    }
  });

  it('junk in a streaming job’s progress adds no item: the items stay the generator’s, in order', async () => {
    await using ex = createExecutor(effects, { connection: machine.url, queue });
    const foreign = new Queue(queue, { connection: { url: machine.url } });
    try {
      const got: unknown[] = [];
      for await (const x of ex.stream('ticker', [join(machine.dir, 'ticker.txt'), 20])) {
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

  it('a job run by a worker that is not Offload’s settles with SerializationError, whatever it returns or throws', async () => {
    const other = 'hostile-foreign';
    await using ex = createExecutor(effects, { connection: machine.url, queue: other });
    const foreign = new Worker(
      other,
      async (job) => {
        if (job.data.a.includes('throw')) throw new Error('offload:error:[not devalue');
        return 'not devalue';
      },
      { connection: { url: machine.url, maxRetriesPerRequest: null } },
    );
    try {
      await expect(ex.submit('waitForAbort', ['throw', 1])).rejects.toBeInstanceOf(SerializationError);
      await expect(ex.submit('waitForAbort', ['return', 1])).rejects.toBeInstanceOf(SerializationError);
    } finally {
      await foreign.close();
    }
  });

  it('the worker machine refuses a job it did not get from an Offload executor, and a module reached by ".." out of its root', async () => {
    const trace = join(machine.dir, 'escaped.txt');
    const outside = join(machine.dir, 'escape.mjs');
    writeFileSync(outside, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(trace)}, 'loaded\\n');\n`);
    const rootDir = new URL('./fixtures/', import.meta.url).href;
    const up = '../'.repeat(new URL(rootDir).pathname.split('/').length - 2);
    const foreign = new Queue(queue, { connection: { url: machine.url } });
    const events = new QueueEvents(queue, { connection: { url: machine.url } });
    try {
      await events.waitUntilReady();
      const outcome = async (data: unknown) => {
        const job = await foreign.add('waitForAbort', data);
        return job.waitUntilFinished(events, 20_000).then(
          () => 'completed',
          (e: Error) => e.message,
        );
      };
      expect(await outcome({})).toContain('was not added by an Offload executor');
      expect(await outcome({ m: 'not a url', a: stringify([]), g: 100 })).toContain('was not added by an Offload executor');
      for (const dots of [up, up.replaceAll('..', '%2e%2e')]) {
        const m = `${rootDir}${dots}${outside.slice(1)}`;
        expect(await outcome({ m, a: stringify([]), g: 100 })).toContain('serves task modules under');
      }
      expect(existsSync(trace)).toBe(false);
    } finally {
      await events.close();
      await foreign.close();
    }
  });
});
