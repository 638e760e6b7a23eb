/**
 * BullMQ runs a job again when its worker machine dies (the stalled-job check)
 * or when it failed and `attempts` allows a retry. A stream's items went out as
 * the job ran: run again, its generator would send them again from the first.
 * Once the caller has items, the stream fails instead (with the generator's own
 * error, or WorkerCrashedError when its machine died); no item is repeated.
 */
import { fileURLToPath } from 'node:url';
import { createExecutor, WorkerCrashedError } from '@offload/bullmq';
import { describe, expect, it } from 'vitest';
import { redisForBlock, redisMissing, required, startWorkerProcess } from './cluster.js';

const tasksModule = new URL('../../conformance/dist/fixtures/tasks.js', import.meta.url);
const why = redisMissing();
if (why && !required) console.log(`[offload] skipping bullmq stream-retry tests: ${why}. Set OFFLOAD_REQUIRE_RUNTIMES=1 to make this a failure.`);

/** Read a stream to its end; its items, and the error it ended with (if any). */
async function drain(stream: AsyncIterable<unknown>): Promise<{ items: unknown[]; error: unknown }> {
  const items: unknown[] = [];
  try {
    for await (const x of stream) items.push(x);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

describe.skipIf(Boolean(why) && !required)('bullmq: a stream is not run again once it sent items', () => {
  const redis = redisForBlock('stream-retries', why);
  const start = async (queue: string) =>
    redis.keep(
      await startWorkerProcess({
        url: redis.url,
        queue,
        module: fileURLToPath(tasksModule),
        concurrency: 2,
        stalledInterval: 1000,
        lockDuration: 2000,
      }),
    );

  it('with attempts, a generator that throws after its items fails with its error; its items are not sent again', async () => {
    const queue = 'stream-attempts';
    await start(queue);
    await using ex = createExecutor(tasksModule, { connection: redis.url, queue, attempts: 3 });
    const { items, error } = await drain(ex.stream('yieldThenThrow', [3]));
    expect(items).toEqual([0, 1, 2]);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('failed after 3 items');
    // A task that is not a stream is still retried.
    await expect(ex.submit('add', [1, 2])).resolves.toBe(3);
  }, 30_000);

  it('kill -9 of the worker machine in the middle of a stream: it fails with WorkerCrashedError after the items it had, none repeated; the next machine keeps serving', async () => {
    const queue = 'stream-machine-dies';
    const first = await start(queue);
    await using ex = createExecutor(tasksModule, { connection: redis.url, queue });
    const items: unknown[] = [];
    let error: unknown;
    try {
      for await (const x of ex.stream('ticker', [40, 100])) {
        items.push(x);
        if (items.length === 3) {
          first.kill('SIGKILL');
          await start(queue);
        }
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(items).toEqual(items.map((_, i) => i));
    expect(await ex.submit('add', [2, 3])).toBe(5);
    const { items: whole } = await drain(ex.stream('ticker', [3, 1]));
    expect(whole).toEqual([0, 1, 2]);
  }, 60_000);
});
