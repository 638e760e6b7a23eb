/**
 * The scheduler, driven deterministically: workers are the real worker side
 * (`serve()`) over an in-memory transport (fake-world.ts), and every delay is
 * on vitest's fake clock. Nothing here sleeps or starts a thread.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Executor as ExecutorClass } from '../src/executor.js';
import type { Future } from '../src/future.js';
import type { ExecutorOptions, TaskOptions } from '../src/options.js';
import type { FakeWorld as FakeWorldClass, StartBehaviour } from './fake-world.js';

const realSetImmediate = globalThis.setImmediate;
vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'performance'] });
// Imported after the clock is faked, so the scheduler reads the fake clock however it captures `performance`.
const { Executor } = await import('../src/executor.js');
const { QueueFullError, TimeoutError, WorkerCrashedError, WorkerInitError } = await import('../src/errors.js');
const { FakeWorld, fakeCapabilities } = await import('./fake-world.js');

/** Let every microtask run (message deliveries included); the fake clock does not move. */
const flush = () => new Promise<void>((r) => realSetImmediate(r));
/** Move the fake clock, running timers and the microtasks between them. */
const advance = async (ms: number) => {
  await vi.advanceTimersByTimeAsync(ms);
  await flush();
};

/** One executor over a fake world, and every Future it returned. */
class Scenario {
  readonly world: FakeWorldClass;
  readonly ex: ExecutorClass;
  readonly futures: Future<unknown>[] = [];

  constructor(options: ExecutorOptions, behaviours?: (id: number) => StartBehaviour, world: { sharedMemory?: boolean } = {}) {
    this.world = new FakeWorld(behaviours, world);
    this.ex = new Executor(this.world.spawn, fakeCapabilities, options);
    open.push(this);
  }

  submit(name: string, args: unknown[], options?: TaskOptions): Future<unknown> {
    const f = this.ex.submit(name, args, options);
    f.then(
      () => {},
      () => {},
    );
    this.futures.push(f);
    return f;
  }

  /** stats() counts each settled Future once, under its own outcome. */
  expectCountersAddUp(): void {
    const s = this.ex.stats();
    const count = (state: string) => this.futures.filter((f) => f.state === state).length;
    expect({ completed: s.completed, failed: s.failed, cancelled: s.cancelled }).toEqual({
      completed: count('fulfilled'),
      failed: count('rejected'),
      cancelled: count('cancelled'),
    });
    expect(s.completed + s.failed + s.cancelled).toBe(this.futures.filter((f) => f.done()).length);
  }

  /** Release every running `hold` except those in `keep`, until only those are left pending. */
  async releaseAllBut(keep: string[], rounds = 1000): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      await advance(1);
      const kept = this.world.heldKeys().filter((k) => keep.includes(k)).length;
      if (this.futures.filter((f) => !f.done()).length === kept) return;
      for (const k of this.world.heldKeys()) if (!keep.includes(k)) this.world.release(k);
    }
  }
}

let open: Scenario[] = [];

beforeEach(() => {
  // A clock that does not start at 0, so that "busy since" times are never zero.
  vi.advanceTimersByTime(1000);
});

afterEach(async () => {
  for (const s of open) void s.ex.shutdown({ wait: false, cancelPending: true, cancelRunning: true });
  open = [];
  await advance(10_000);
  vi.clearAllTimers();
});

afterAll(() => {
  vi.useRealTimers();
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe.each([
  ['shared memory (claim slots)', true],
  ['no shared memory (nothing sent ahead)', false],
])('prefetch never leaves a task behind a long one (head-of-line), %s', (_, sharedMemory) => {
  it('runs the short tasks on the free worker while the long one is still held', async () => {
    const s = new Scenario({ maxWorkers: 2, minWorkers: 2 }, undefined, { sharedMemory });
    const warm = range(500).map((i) => s.submit('ret', [i]));
    await advance(10);
    expect(warm.every((f) => f.state === 'fulfilled')).toBe(true);
    const long = s.submit('hold', ['long']);
    const shorts = range(200).map((i) => s.submit('ret', [i]));
    await advance(100);
    expect(s.world.holding('long')).toBe(true);
    expect(shorts.filter((f) => !f.done()).length).toBe(0);
    expect(long.done()).toBe(false);
    s.world.release('long');
    await advance(1);
    expect(await long).toBe('long');
    s.expectCountersAddUp();
  });

  it('also when the long call has the name of many short ones', async () => {
    const s = new Scenario({ maxWorkers: 2, minWorkers: 2 }, undefined, { sharedMemory });
    for (const i of range(300)) s.submit('hold', [`warm${i}`]);
    await s.releaseAllBut([]);
    expect(s.futures.every((f) => f.state === 'fulfilled')).toBe(true);
    const long = s.submit('hold', ['long']);
    const shorts = range(200).map((i) => s.submit('hold', [`short${i}`]));
    await s.releaseAllBut(['long']);
    expect(s.world.holding('long')).toBe(true);
    expect(shorts.filter((f) => !f.done()).length).toBe(0);
    s.world.release('long');
    await advance(1);
    expect(long.state).toBe('fulfilled');
    s.expectCountersAddUp();
  });
});

describe('a crash with several tasks in flight', () => {
  it('re-runs each of them alone: the guilty one fails with WorkerCrashedError, the innocent succeed', async () => {
    const s = new Scenario({ maxWorkers: 1, concurrentTasksPerWorker: 3 });
    const a = s.submit('hold', ['a']);
    const b = s.submit('hold', ['b']);
    const guilty = s.submit('crash', [3]);
    await advance(1);
    const first = s.world.workers[0]!;
    expect(first.alive).toBe(false);
    expect(first.ran.sort()).toEqual(['crash', 'hold', 'hold']);
    await s.releaseAllBut([]);
    expect(a.state).toBe('fulfilled');
    expect(b.state).toBe('fulfilled');
    await expect(guilty).rejects.toBeInstanceOf(WorkerCrashedError);
    for (const w of s.world.workers.slice(1)) expect(w.maxRunning).toBe(1);
    expect(s.ex.stats().crashedWorkers).toBe(2);
    s.expectCountersAddUp();
  });

  it('a timed-out task whose worker then dies does not take the task beside it down', async () => {
    const s = new Scenario({ maxWorkers: 1, concurrentTasksPerWorker: 2, cancelGrace: 1000 });
    const late = s.submit('hold', ['late'], { timeout: 10 });
    const innocent = s.submit('hold', ['innocent']);
    await advance(20);
    await expect(late).rejects.toBeInstanceOf(TimeoutError);
    const worker = s.world.holderOf('innocent')!;
    s.world.crash(worker.id, 3);
    await s.releaseAllBut([]);
    expect(innocent.state).toBe('fulfilled');
    s.expectCountersAddUp();
  });
});

describe('start failures', () => {
  it('an init that throws on worker #2 only does not fail tasks that worker #1 can run', async () => {
    const s = new Scenario({ maxWorkers: 2 }, (id) => (id === 2 ? { initThrows: true } : {}));
    const fs = range(10).map((i) => s.submit('ret', [i]));
    await advance(100);
    expect(fs.map((f) => f.state)).toEqual(range(10).map(() => 'fulfilled'));
    expect(await Promise.all(fs)).toEqual(range(10));
    s.expectCountersAddUp();
  });

  it('a worker killed while starting is replaced, its tasks are not failed and minWorkers is kept', async () => {
    const s = new Scenario({ maxWorkers: 2, minWorkers: 2 }, (id) => (id === 1 || id === 3 ? { delay: 5, killed: true } : { delay: 5 }));
    const fs = range(10).map((i) => s.submit('ret', [i]));
    for (let t = 0; t < 10_000 && !fs.every((f) => f.done()); t += 100) await advance(100);
    expect(fs.map((f) => f.state)).toEqual(range(10).map(() => 'fulfilled'));
    for (let t = 0; t < 30_000 && s.world.live() < 2; t += 100) await advance(100);
    expect(s.ex.stats().workers).toBe(2);
    expect(s.world.live()).toBe(2);
    s.expectCountersAddUp();
  });

  it('retries the start of workers killed again and again with a bounded backoff', async () => {
    const s = new Scenario({ maxWorkers: 2, minWorkers: 2 }, (id) => (id <= 6 ? { delay: 5, killed: true } : { delay: 5 }));
    const fs = range(10).map((i) => s.submit('ret', [i]));
    let t = 0;
    for (; t < 60_000 && !fs.every((f) => f.done()); t += 100) await advance(100);
    expect(fs.map((f) => f.state)).toEqual(range(10).map(() => 'fulfilled'));
    expect(s.world.workers.length).toBeLessThanOrEqual(10);
    expect(s.ex.stats().workers).toBe(2);
    s.expectCountersAddUp();
  });

  it('a worker that never calls serve() misses startTimeout without failing what a healthy worker runs', async () => {
    const s = new Scenario({ maxWorkers: 2, startTimeout: 1000 }, (id) => (id === 1 ? { never: true } : {}));
    const fs = range(10).map((i) => s.submit('ret', [i]));
    await advance(5000);
    expect(fs.map((f) => f.state)).toEqual(range(10).map(() => 'fulfilled'));
    s.expectCountersAddUp();
  });

  it('fails the queue with WorkerInitError only when no worker can start, and does not respawn in a loop', async () => {
    const s = new Scenario({ maxWorkers: 2, startTimeout: 1000 }, () => ({ never: true }));
    const fs = range(5).map((i) => s.submit('ret', [i]));
    await advance(999);
    expect(fs.some((f) => f.done())).toBe(false);
    await advance(5000);
    for (const f of fs) await expect(f).rejects.toBeInstanceOf(WorkerInitError);
    await expect(fs[0]).rejects.toThrow(/expose\(\)/);
    await advance(60_000);
    expect(s.world.workers.length).toBeLessThanOrEqual(4);
    s.expectCountersAddUp();
  });

  it('a module that cannot load fails fast, without a respawn loop', async () => {
    const s = new Scenario({ maxWorkers: 2 }, () => ({ delay: 2, loadError: new Error('Cannot find module') }));
    const fs = range(5).map((i) => s.submit('ret', [i]));
    await advance(50);
    for (const f of fs) await expect(f).rejects.toBeInstanceOf(WorkerInitError);
    await advance(60_000);
    expect(s.world.workers.length).toBeLessThanOrEqual(2);
    s.expectCountersAddUp();
  });
});

describe('capacity()', () => {
  it('with maxQueue 0 resolves while a worker slot is free', async () => {
    const s = new Scenario({ maxWorkers: 1, minWorkers: 1, maxQueue: 0 });
    await advance(1);
    let resolved = false;
    void s.ex.capacity().then(() => {
      resolved = true;
    });
    await advance(10);
    expect(resolved).toBe(true);
    expect(await s.submit('ret', [7])).toBe(7);
    s.expectCountersAddUp();
  });

  it('one freed slot wakes exactly one of three waiters, whose submit is accepted', async () => {
    const s = new Scenario({ maxWorkers: 1, minWorkers: 1, maxQueue: 0 });
    s.submit('hold', ['x']);
    await advance(1);
    const woke: number[] = [];
    let queueFull = 0;
    const waiter = async (i: number) => {
      await s.ex.capacity();
      woke.push(i);
      const future = s.submit('hold', [`c${i}`]);
      future.catch((e: unknown) => {
        if (e instanceof QueueFullError) queueFull++;
      });
      return { future };
    };
    const submitted = [0, 1, 2].map(waiter);
    await advance(10);
    expect(woke).toEqual([]);
    s.world.release('x');
    await advance(10);
    expect(woke.length).toBe(1);
    expect(queueFull).toBe(0);
    expect(s.world.holding(`c${woke[0]}`)).toBe(true);
    for (let round = 0; round < 3; round++) {
      for (const k of s.world.heldKeys()) s.world.release(k);
      await advance(10);
    }
    expect(woke.length).toBe(3);
    for (const { future } of await Promise.all(submitted)) expect(future.state).toBe('fulfilled');
    s.expectCountersAddUp();
  });
  it('with a queue of one, a freed queue slot wakes one waiter and nobody gets QueueFullError', async () => {
    const s = new Scenario({ maxWorkers: 1, minWorkers: 1, maxQueue: 1, concurrentTasksPerWorker: 1 });
    s.submit('hold', ['x']);
    await advance(1);
    s.submit('hold', ['q']);
    const woke: number[] = [];
    const rejected: unknown[] = [];
    const waiter = async (i: number) => {
      await s.ex.capacity();
      woke.push(i);
      s.submit('hold', [`c${i}`]).catch((e: unknown) => rejected.push(e));
    };
    for (const i of [0, 1, 2]) void waiter(i);
    await advance(10);
    expect(woke).toEqual([]);
    s.world.release('x');
    await advance(10);
    expect(woke.length).toBe(1);
    expect(rejected).toEqual([]);
    for (let round = 0; round < 6; round++) {
      for (const k of s.world.heldKeys()) s.world.release(k);
      await advance(10);
    }
    expect(woke.length).toBe(3);
    expect(rejected).toEqual([]);
    s.expectCountersAddUp();
  });
});

describe('timeouts', () => {
  it('start only when the task runs, not while it waits', async () => {
    const s = new Scenario({ maxWorkers: 1, minWorkers: 1 });
    await advance(1);
    s.submit('hold', ['first']);
    const second = s.submit('hold', ['second'], { timeout: 100 });
    await advance(10_000);
    expect(second.done()).toBe(false);
    s.world.release('first');
    await advance(99);
    expect(second.done()).toBe(false);
    await advance(2);
    await expect(second).rejects.toBeInstanceOf(TimeoutError);
    s.expectCountersAddUp();
  });

  it('of 2**31 ms, 2**32 ms or 1e12 ms never fire within an hour', async () => {
    const s = new Scenario({ maxWorkers: 4, taskTimeout: 2 ** 32 });
    const fs = [
      s.submit('hold', ['default']),
      s.submit('hold', ['2**31'], { timeout: 2 ** 31 }),
      s.submit('hold', ['2**32'], { timeout: 2 ** 32 }),
      s.submit('hold', ['1e12'], { timeout: 1e12 }),
    ];
    await advance(3_600_000);
    expect(fs.map((f) => f.state)).toEqual(['running', 'running', 'running', 'running']);
    s.expectCountersAddUp();
  });
});

describe('the worker bound', () => {
  it('maxTasksPerWorker 1 with minWorkers = maxWorkers = 2 never has more than 2 live workers', async () => {
    const s = new Scenario({ maxWorkers: 2, minWorkers: 2, maxTasksPerWorker: 1 });
    s.world.terminateDelay = 5;
    const long = s.submit('hold', ['long']);
    const shorts = [s.submit('ret', [1]), s.submit('ret', [2])];
    await advance(400);
    s.world.release('long');
    await advance(100);
    expect([long.state, ...shorts.map((f) => f.state)]).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(s.world.maxLive).toBeLessThanOrEqual(2);
    s.expectCountersAddUp();
  });

  it('cancelling two stuck tasks together never exceeds maxWorkers', async () => {
    const s = new Scenario({ maxWorkers: 2, minWorkers: 2, cancelGrace: 100 });
    s.world.terminateDelay = 5;
    const a = s.submit('hold', ['a']);
    const b = s.submit('hold', ['b']);
    await advance(1);
    a.cancel();
    b.cancel();
    await advance(500);
    expect([a.state, b.state]).toEqual(['cancelled', 'cancelled']);
    expect(s.world.maxLive).toBeLessThanOrEqual(2);
    const after = s.submit('ret', [1]);
    await advance(1000);
    expect(after.state).toBe('fulfilled');
    expect(s.world.maxLive).toBeLessThanOrEqual(2);
    s.expectCountersAddUp();
  });
});

describe('shutdown', () => {
  it('stops each worker once (a Node Worker adds an exit listener per terminate() call)', async () => {
    const s = new Scenario({ maxWorkers: 2 });
    for (const i of range(6)) s.submit('hold', [`h${i}`]);
    await advance(1);
    const closed = s.ex.shutdown();
    await s.releaseAllBut([]);
    await advance(100);
    await closed;
    expect(s.futures.every((f) => f.state === 'fulfilled')).toBe(true);
    // Asked to close, each worker ends itself; none is terminated more than once.
    for (const w of s.world.workers) expect(w.terminateCalls).toBeLessThanOrEqual(1);
    expect(s.world.live()).toBe(0);
    s.expectCountersAddUp();
  });
});

describe('counters', () => {
  it('a task cancelled before its uncloneable argument fails to post counts as cancelled only', async () => {
    const s = new Scenario({ maxWorkers: 1 });
    const f = s.submit('ret', [() => 1]);
    f.cancel();
    await advance(10);
    expect(f.state).toBe('cancelled');
    expect(s.ex.stats()).toMatchObject({ cancelled: 1, failed: 0 });
    s.expectCountersAddUp();
  });

  it('add up over returns, throws, crashes, timeouts and cancellations', async () => {
    const s = new Scenario({ maxWorkers: 2, cancelGrace: 50 });
    s.submit('ret', [1]);
    s.submit('fail', ['no']);
    s.submit('crash', [1]);
    s.submit('hold', ['t'], { timeout: 20 });
    s.submit('hold', ['c']).cancel();
    await advance(1000);
    expect(s.futures.every((f) => f.done())).toBe(true);
    s.expectCountersAddUp();
  });
});

describe('a burst of cancellations', () => {
  it('of 2,000 trivial tasks with minWorkers 2 terminates no worker', async () => {
    const s = new Scenario({ maxWorkers: 4, minWorkers: 2 });
    const warm = range(10).map((i) => s.submit('ret', [i]));
    await advance(10);
    expect(warm.every((f) => f.state === 'fulfilled')).toBe(true);
    // Ten queued tasks at start may start every allowed worker; from here on none may be stopped or added.
    const before = s.world.workers.length;
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 10; i++) s.submit('ret', [i]).cancel();
      // Time passes while the cancel messages are on their way (a synchronous tick).
      vi.advanceTimersByTime(5);
      await flush();
    }
    await advance(2000);
    expect(s.ex.stats().cancelled).toBe(2000);
    expect(s.world.workers.length).toBe(before);
    expect(s.world.workers.map((w) => w.terminateCalls)).toEqual(s.world.workers.map(() => 0));
    s.expectCountersAddUp();
  });
});
