/**
 * Streams and progress on the inline executor: the caller-side iterator,
 * credit-based backpressure, stopping a generator, and coalesced progress.
 * (Every backend runs the same behaviour in the conformance suite.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClaimSlots } from '../src/claims.js';
import { CancelledError, InvalidArgumentError, SerializationError, TimeoutError, WorkerCrashedError } from '../src/errors.js';
import { createInlineExecutor, type InlineExecutor } from '../src/inline.js';
import { pickStreamWorker } from '../src/policy.js';
import { PoolWorker } from '../src/pool-worker.js';
import { expose, taskContext } from '../src/worker.js';

const state = { produced: 0, finallyRan: 0 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const tasks = expose({
  *count(n: number) {
    for (let i = 0; i < n; i++) {
      state.produced++;
      yield i;
    }
  },
  async *slowCount(n: number, ms: number) {
    try {
      for (let i = 0; i < n; i++) {
        await sleep(ms);
        yield i;
      }
    } finally {
      state.finallyRan++;
    }
  },
  /** Yields 0..n-1, then produces nothing until its signal aborts. */
  stallAfter(n: number) {
    const { signal } = taskContext();
    return (async function* () {
      try {
        for (let i = 0; i < n; i++) yield i;
        await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      } finally {
        state.finallyRan++;
      }
    })();
  },
  *failAfter(n: number) {
    for (let i = 0; i < n; i++) yield i;
    throw new RangeError('generator failed');
  },
  *uncloneable() {
    yield 1;
    yield () => 2;
    yield 3;
  },
  double: (x: number) => x * 2,
  /** Never settles and ignores its signal. */
  deaf: () => new Promise<never>(() => {}),
  report: (n: number) => {
    const ctx = taskContext();
    for (let i = 1; i <= n; i++) ctx.progress(i);
    return 'done';
  },
  reportSlowly: async (n: number) => {
    const ctx = taskContext();
    for (let i = 1; i <= n; i++) {
      ctx.progress(i);
      await sleep(2);
    }
    return 'done';
  },
});

let ex: InlineExecutor<typeof tasks>;
afterEach(async () => {
  await ex?.shutdown({ cancelRunning: true });
  state.produced = 0;
  state.finallyRan = 0;
});

async function collect<Y>(it: AsyncIterable<Y>): Promise<Y[]> {
  const out: Y[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('executor.stream()', () => {
  it('yields a generator task’s items in order, then ends', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    expect(await collect(ex.stream('count', [50]))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(ex.stats()).toMatchObject({ running: 0, completed: 1 });
  });

  it('yields the one result of a plain task', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    expect(await collect(ex.stream('double', [21]))).toEqual([42]);
  });

  it('keeps the generator at most highWaterMark items ahead of a slow consumer', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    let consumed = 0;
    let worst = 0;
    for await (const _ of ex.stream('count', [200], { highWaterMark: 4 })) {
      consumed++;
      worst = Math.max(worst, state.produced - consumed);
      if (consumed % 20 === 0) await sleep(5);
    }
    expect(consumed).toBe(200);
    expect(worst).toBeLessThanOrEqual(4);
  });

  it('break stops the generator: its finally runs and the slot is free again', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    const got: number[] = [];
    for await (const x of ex.stream('slowCount', [1000, 1])) {
      got.push(x);
      if (x === 2) break;
    }
    expect(got).toEqual([0, 1, 2]);
    await expect.poll(() => state.finallyRan).toBe(1);
    expect(await ex.submit('double', [4])).toBe(8);
  });

  it('an error in the generator ends the iteration after the items before it', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    const got: number[] = [];
    const error = await (async () => {
      for await (const x of ex.stream('failAfter', [3])) got.push(x);
    })().catch((e) => e);
    expect(got).toEqual([0, 1, 2]);
    expect(error).toBeInstanceOf(RangeError);
  });

  it('timeout bounds the whole stream', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    const s = ex.stream('slowCount', [1000, 5], { timeout: 60 });
    await expect(collect(s)).rejects.toBeInstanceOf(TimeoutError);
    await expect.poll(() => state.finallyRan).toBe(1);
  });

  it('idleTimeout ends a stream that stops producing with TimeoutError, after its items, and stops the generator', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    const got: number[] = [];
    const error = await (async () => {
      for await (const x of ex.stream('stallAfter', [3], { idleTimeout: 50 })) got.push(x);
    })().catch((e) => e);
    expect(got).toEqual([0, 1, 2]);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'ERR_OFFLOAD_TIMEOUT', timeout: 50 });
    expect(error.message).toContain('idleTimeout');
    await expect.poll(() => state.finallyRan).toBe(1);
    expect(ex.stats().timedOut).toBe(1);
  });

  it('idleTimeout does not count the time a generator waits for a slow consumer', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    const got: number[] = [];
    for await (const x of ex.stream('slowCount', [4, 1], { highWaterMark: 1, idleTimeout: 100 })) {
      got.push(x);
      await sleep(250);
    }
    expect(got).toEqual([0, 1, 2, 3]);
  });

  it('idleTimeout resets with every item: a stream of steady items outlives it', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    expect(await collect(ex.stream('slowCount', [30, 10], { idleTimeout: 150 }))).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('after cancel(), items already received are not handed out: the next step throws CancelledError', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    const s = ex.stream('count', [50], { highWaterMark: 50 });
    const it = s[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe(0);
    await expect.poll(() => state.produced).toBe(50);
    await sleep(10);
    expect(s.cancel('enough')).toBe(true);
    await expect(it.next()).rejects.toBeInstanceOf(CancelledError);
  });

  it('cancel() and an aborted signal end the iteration with CancelledError', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    const s = ex.stream('slowCount', [1000, 2]);
    const it = s[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe(0);
    expect(s.cancel('enough')).toBe(true);
    await expect(it.next()).rejects.toBeInstanceOf(CancelledError);
    await expect(s.finished).rejects.toBeInstanceOf(CancelledError);
    const ac = new AbortController();
    const s2 = ex.stream('slowCount', [1000, 2], { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(collect(s2)).rejects.toBeInstanceOf(CancelledError);
    await expect.poll(() => state.finallyRan).toBe(2);
  });

  it('the typed proxy streams a generator task and still returns a Future for a plain one', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    expect(await collect(ex.tasks.count(5))).toEqual([0, 1, 2, 3, 4]);
    expect(await ex.tasks.double(5)).toBe(10);
  });

  it('submit() of a generator task rejects and says to use stream()', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    const e = await ex.submit('count', [3]).catch((x) => x);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toContain('stream(');
  });

  it('a stream whose worker is stopped under it (a stuck neighbour) fails instead of starting over', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1, concurrentTasksPerWorker: 2, cancelGrace: 30 });
    const got: number[] = [];
    const error = await (async () => {
      for await (const x of ex.stream('slowCount', [1000, 5])) {
        got.push(x);
        if (x === 1) {
          const stuck = ex.submit('deaf', []);
          setTimeout(() => stuck.cancel(), 10);
        }
        if (got.length > 200) break;
      }
    })().catch((e) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(got).toEqual(range(got.length));
  });

  it('an item that cannot be cloned ends the stream with SerializationError, not a silent gap', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    const got: unknown[] = [];
    const error = await (async () => {
      for await (const x of ex.stream('uncloneable', [], { highWaterMark: 1 })) got.push(x);
    })().catch((e) => e);
    expect(got).toEqual([1]);
    expect(error).toBeInstanceOf(SerializationError);
    expect(error.message).toContain('a function');
    expect(await ex.submit('double', [2])).toBe(4);
  });

  it('rejects a bad highWaterMark', () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    expect(() => ex.stream('count', [1], { highWaterMark: 0 })).toThrow(InvalidArgumentError);
  });

  it('rejects a bad idleTimeout, and takes 0 or Infinity as no limit', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    for (const bad of [-1, 1.5, Number.NaN, '10', null]) {
      expect(() => ex.stream('count', [1], { idleTimeout: bad as number })).toThrow(InvalidArgumentError);
    }
    expect(() => ex.stream('count', [1], { idleTimeout: -1 })).toThrow(expect.objectContaining({ code: 'ERR_OFFLOAD_INVALID_ARGUMENT' }));
    expect(await collect(ex.stream('count', [3], { idleTimeout: 0 }))).toEqual([0, 1, 2]);
    expect(await collect(ex.stream('count', [3], { idleTimeout: Number.POSITIVE_INFINITY }))).toEqual([0, 1, 2]);
  });
});

describe('progress', () => {
  it('coalesces a flood of reports and delivers the final value before the result', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    const seen: unknown[] = [];
    const f = ex.submit('report', [100_000], { onProgress: (v) => seen.push(v) });
    expect(await f).toBe('done');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(1000);
    expect(seen.at(-1)).toBe(100_000);
  });

  it('delivers progress while the task runs, in order', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    const seen: number[] = [];
    await ex.submit('reportSlowly', [10], { onProgress: (v) => seen.push(v as number) });
    expect(seen.length).toBeGreaterThan(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen.at(-1)).toBe(10);
  });

  it('an onProgress that throws does not break the executor: the error is re-thrown in a microtask', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 1 });
    const original = globalThis.queueMicrotask;
    const thrown: unknown[] = [];
    const spy = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) =>
      original(() => {
        try {
          fn();
        } catch (e) {
          thrown.push(e);
        }
      }),
    );
    try {
      const boom = new Error('bar broke');
      // The last progress value and the result travel in one batch: the result must still be read.
      const f = ex.submit('report', [3], {
        onProgress: () => {
          throw boom;
        },
      });
      expect(await f).toBe('done');
      expect(await ex.submit('double', [2])).toBe(4);
      expect(thrown.length).toBeGreaterThan(0);
      expect(thrown.every((e) => e === boom)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('reaches map() per task', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 2 });
    const seen: unknown[] = [];
    const out = await collect(ex.map('report', [3, 5], { onProgress: (v) => seen.push(v) }));
    expect(out).toEqual(['done', 'done']);
    expect([...seen].sort()).toEqual([3, 5]);
  });
});

describe('scheduling a stream', () => {
  const worker = (id: number, concurrency: number, inflight: number) => {
    const w = new PoolWorker(id, concurrency, Number.POSITIVE_INFINITY);
    w.state = 'ready';
    w.slots = new ClaimSlots(64 + concurrency);
    w.prefetch = 10;
    for (let i = 0; i < inflight; i++) w.inflight.push({} as never);
    return w;
  };

  it('takes only a worker with a free running slot, never a place behind another task', () => {
    const busy = worker(1, 1, 1);
    expect(busy.free()).toBe(10);
    expect(pickStreamWorker([busy])).toBeUndefined();
    const idle = worker(2, 1, 0);
    expect(pickStreamWorker([busy, idle])).toBe(idle);
  });

  it('nothing is sent ahead to a worker while it runs a stream', () => {
    const w = worker(1, 2, 1);
    expect(w.free()).toBe(11);
    w.streams = 1;
    expect(w.free()).toBe(1);
  });

  it('after a proxy call turned out to be a generator, later calls of it are scheduled as streams', async () => {
    ex = createInlineExecutor(tasks, { maxWorkers: 2 });
    await collect(ex.tasks.count(2));
    // Warm up so that short tasks are sent ahead, then hold worker A with a slow task.
    await Promise.all(Array.from({ length: 300 }, (_, i) => ex.submit('double', [i])));
    const blocker = ex.submit('reportSlowly', [20]);
    const streams = [ex.tasks.count(3), ex.tasks.count(3)];
    // Both streams start at once (on free running slots), not behind the blocker.
    const t0 = Date.now();
    const items = await Promise.all(streams.map((s) => collect(s as AsyncIterable<number>)));
    expect(items).toEqual([
      [0, 1, 2],
      [0, 1, 2],
    ]);
    expect(blocker.done()).toBe(false);
    expect(Date.now() - t0).toBeLessThan(5000);
    await blocker;
  });
});
