import { CancelledError, TimeoutError, WorkerCrashedError } from '@offload/core';
import { assert, type Case, until } from '../harness.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Iterate `stream` to its end; resolve with the items and the error that ended it, if any. */
async function drain<Y>(stream: AsyncIterable<Y>): Promise<{ items: Y[]; error?: unknown }> {
  const items: Y[] = [];
  try {
    for await (const x of stream) items.push(x);
  } catch (error) {
    return { items, error };
  }
  return { items };
}

export const streamCases: Case[] = [
  {
    name: 'a stream yields a generator task’s items in order, sync or async, and a plain task’s one result',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      assert.deepEqual((await drain(ex.stream('countTo', [300], { highWaterMark: 8 }))).items, range(300));
      assert.deepEqual((await drain(ex.stream('ticker', [5, 1]))).items, range(5));
      assert.deepEqual((await drain(ex.tasks.countTo(4))).items, range(4), 'the typed proxy streams a generator task');
      assert.deepEqual((await drain(ex.stream('inc', [41]))).items, [42]);
      assert.equal(await ex.tasks.inc(1), 2, 'the typed proxy still returns a Future for a plain task');
      const s = ex.stats();
      assert.equal(s.running, 0);
      assert.equal(s.failed, 0);
    },
  },
  {
    name: 'backpressure: a generator never runs more than highWaterMark items ahead of its consumer',
    // The probe task must land on the generator's worker.
    needs: ['localWorkers'],
    async run({ make, sleep }) {
      // A second running slot on the same worker lets a task read how far the generator ran.
      const ex = make({ maxWorkers: 1, concurrentTasksPerWorker: 2 });
      const hwm = 4;
      let consumed = 0;
      for await (const item of ex.stream('countTo', [200], { highWaterMark: hwm })) {
        assert.equal(item, consumed);
        consumed++;
        if (consumed % 50 === 1) {
          // Stop consuming for a while: without backpressure the generator would run to its end.
          await sleep(60);
          const produced = await ex.submit('streamProduced', []);
          assert.ok(produced >= consumed, `produced ${produced} < consumed ${consumed}`);
          assert.ok(produced <= consumed + hwm, `the generator ran ahead to ${produced} with ${consumed} consumed (highWaterMark ${hwm})`);
        }
      }
      assert.equal(consumed, 200);
    },
  },
  {
    name: 'break stops the generator in its worker: its finally block runs and the slot is freed',
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1 });
      const got: number[] = [];
      for await (const x of ex.stream('ticker', [10_000, 2])) {
        got.push(x);
        if (x === 2) break;
      }
      assert.deepEqual(got, [0, 1, 2]);
      if (!target.capabilities.localWorkers) return;
      // Same worker (maxWorkers 1): this runs once the stream has released its slot.
      assert.equal(await ex.submit('streamFinallies', []), 1, 'the generator’s finally ran');
      assert.equal(ex.stats().spawnedWorkers, 1, 'the worker was kept');
    },
  },
  {
    name: 'an aborted signal or cancel() ends a stream with CancelledError and runs its finally',
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1, cancelGrace: 2000 });
      const ac = new AbortController();
      const first = ex.stream('ticker', [10_000, 2], { signal: ac.signal });
      const it = first[Symbol.asyncIterator]();
      assert.equal((await it.next()).value, 0);
      ac.abort(new Error('user left'));
      await assert.rejects(it.next(), CancelledError);
      const second = ex.stream('ticker', [10_000, 2]);
      setTimeout(() => second.cancel('enough'), 30);
      const { items, error } = await drain(second);
      assert.ok(error instanceof CancelledError, `ended with ${String(error)}`);
      assert.ok(items.length < 10_000);
      await assert.rejects(second.finished, CancelledError);
      // Read on the same worker (maxWorkers 1); a shared pool of machines may send the probe elsewhere.
      if (target.capabilities.localWorkers) assert.equal(await ex.submit('streamFinallies', []), 2);
    },
  },
  {
    name: 'an error in the generator ends the iteration with it, after the items yielded before it',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const { items, error } = await drain(ex.stream('yieldThenThrow', [3]));
      assert.deepEqual(items, [0, 1, 2]);
      assert.ok(error instanceof RangeError, `ended with ${String(error)}`);
      assert.equal((error as Error).message, 'failed after 3 items');
      assert.equal(await ex.submit('inc', [1]), 2, 'the worker still serves');
    },
  },
  {
    name: 'timeout bounds the whole stream: TimeoutError after the items so far, and the generator is stopped',
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1 });
      const { items, error } = await drain(ex.stream('ticker', [10_000, 5], { timeout: 150 }));
      assert.ok(error instanceof TimeoutError, `ended with ${String(error)}`);
      assert.deepEqual(items, range(items.length), 'the items before the timeout, in order');
      assert.ok(items.length < 10_000);
      if (target.capabilities.localWorkers) assert.equal(await ex.submit('streamFinallies', []), 1, 'the generator’s finally ran');
      assert.equal(ex.stats().timedOut, 1);
    },
  },
  {
    name: 'idleTimeout ends a stream that stops producing (TimeoutError after its items, generator stopped), never one paused by a slow consumer',
    async run({ make, sleep, target }) {
      const ex = make({ maxWorkers: 1 });
      const { items, error } = await drain(ex.stream('stallAfter', [3], { idleTimeout: 150 }));
      assert.deepEqual(items, [0, 1, 2]);
      assert.ok(error instanceof TimeoutError, `ended with ${String(error)}`);
      assert.equal((error as TimeoutError).timeout, 150);
      assert.equal(ex.stats().timedOut, 1);
      // Read on the same worker (maxWorkers 1); a shared pool of machines may send the probe elsewhere.
      if (target.capabilities.localWorkers) {
        assert.equal(await ex.submit('streamFinallies', []), 1, 'the generator’s finally ran');
        assert.equal(ex.stats().spawnedWorkers, 1, 'a generator that stops on its signal keeps its worker');
      }
      // A consumer slower than idleTimeout: the generator waits for credit, which is not idleness.
      const slow: number[] = [];
      for await (const x of ex.stream('ticker', [3, 1], { highWaterMark: 1, idleTimeout: 150 })) {
        slow.push(x);
        await sleep(400);
      }
      assert.deepEqual(slow, [0, 1, 2]);
    },
  },
  {
    name: 'idleTimeout stops a stream stuck in a synchronous step by replacing its worker',
    needs: ['killRunning'],
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1, cancelGrace: 100 });
      const t0 = Date.now();
      const { items, error } = await drain(ex.stream('deafStream', [8000], { idleTimeout: 150 }));
      assert.deepEqual(items, ['first']);
      assert.ok(error instanceof TimeoutError, `ended with ${String(error)}`);
      assert.equal(await ex.submit('inc', [1]), 2);
      assert.ok(Date.now() - t0 < 5000, 'the stuck worker was stopped long before its step would end');
      // The caller's own workers; a shared pool of machines replaces its thread out of the caller's sight.
      if (target.capabilities.localWorkers) assert.equal(ex.stats().spawnedWorkers, 2, 'the worker was replaced');
    },
  },
  {
    name: 'progress is coalesced: a million reports deliver far fewer calls, the last being the final value',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const seen: number[] = [];
      const result = await ex.submit('reportMany', [1_000_000], { onProgress: (v) => seen.push(v as number) });
      assert.equal(result, 1_000_000);
      assert.ok(seen.length >= 1 && seen.length < 10_000, `${seen.length} progress calls`);
      assert.equal(seen[seen.length - 1], 1_000_000, 'the final value arrives before the result');
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        seen,
        'values arrive in order',
      );
    },
  },
  {
    name: 'progress arrives while a task runs, per task in map(), and never after the task settled',
    async run({ make, sleep }) {
      const ex = make({ maxWorkers: 2 });
      const early: number[] = [];
      // Whether the Future had settled when the first value came: read in the callback itself,
      // since a busy caller may poll only after the result has arrived too.
      let settledAtFirst: boolean | undefined;
      const f = ex.submit('reportSlowly', [20, 5], {
        onProgress: (v) => {
          if (early.length === 0) settledAtFirst = f.done();
          early.push(v as number);
        },
      });
      await until(() => early.length > 0, 5000, 'a progress value while the task runs');
      assert.equal(settledAtFirst, false, 'progress came before the result');
      await f;
      const count = early.length;
      await sleep(30);
      assert.equal(early.length, count, 'nothing after the task settled');
      assert.equal(early[early.length - 1], 20);
      const fromMap: number[] = [];
      const results: number[] = [];
      for await (const r of ex.map('reportMany', [10, 20, 30], { onProgress: (v) => fromMap.push(v as number) })) results.push(r);
      assert.deepEqual(results, [10, 20, 30]);
      for (const n of [10, 20, 30]) assert.ok(fromMap.includes(n), `the final progress ${n} of each task`);
    },
  },
  {
    name: 'nothing waits behind a stream: other tasks run on other workers while it is paused',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      await Promise.all(range(200).map((i) => ex.submit('inc', [i])));
      const stream = ex.stream('ticker', [10_000, 1], { highWaterMark: 1 });
      const it = stream[Symbol.asyncIterator]();
      assert.equal((await it.next()).value, 0);
      // The stream is paused (its consumer is not reading): these must not queue up behind it.
      const out = await Promise.all(range(100).map((i) => ex.submit('inc', [i])));
      assert.deepEqual(
        out,
        range(100).map((i) => i + 1),
      );
      await it.return?.();
    },
  },
  {
    name: 'a stream that ignores its signal is stopped after the grace period by replacing its worker',
    needs: ['killRunning'],
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1, cancelGrace: 100 });
      const t0 = Date.now();
      for await (const x of ex.stream('deafStream', [8000])) {
        assert.equal(x, 'first');
        break;
      }
      assert.equal(await ex.submit('inc', [1]), 2);
      assert.ok(Date.now() - t0 < 5000, 'the stuck worker was stopped long before its generator would resume');
      if (target.capabilities.localWorkers) assert.equal(ex.stats().spawnedWorkers, 2, 'the worker was replaced');
    },
  },
  {
    name: 'a stream whose worker crashes ends with WorkerCrashedError after the items it got',
    needs: ['isolation'],
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const { items, error } = await drain(ex.stream('streamThenCrash', [3]));
      assert.deepEqual(items, [0, 1, 2]);
      assert.ok(error instanceof WorkerCrashedError, `ended with ${String(error)}`);
      assert.equal(await ex.submit('inc', [1]), 2, 'a new worker serves');
      assert.equal(ex.stats().crashedWorkers, 1);
    },
  },
];
