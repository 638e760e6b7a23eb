import { QueueFullError, SerializationError } from '@offload/core';
import { assert, type Case, until, warm } from '../harness.js';

/** Every Future settles exactly once and the pool keeps going: the edges found from outside. */
export const robustnessCases: Case[] = [
  {
    name: 'a worker whose init fails does not take the queue down while another worker serves',
    // On a pool of machines, the first task starts the threads of one machine in time; the other
    // machine's start too late, and it gives its jobs back to the queue.
    timeout: 30_000,
    async run({ make, sleep }) {
      const deadline = Date.now() + 2500;
      const ex = make({ maxWorkers: 2, minWorkers: 1, init: ['fail-after', deadline] });
      await ex.submit('inc', [0]);
      await sleep(Math.max(0, deadline - Date.now()) + 50);
      // The second worker starts now, too late: its init throws. The first one serves everything.
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => ex.submit('sleep', [40, i])));
      assert.deepEqual(
        results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
    },
  },
  {
    name: 'init arguments that cannot be cloned are refused at once with SerializationError naming init',
    async run({ make }) {
      assert.throws(() => make({ init: [() => 1] }), SerializationError);
      try {
        make({ init: [Symbol('x')] });
      } catch (e) {
        assert.ok((e as Error).message.includes('"init"'), (e as Error).message);
      }
    },
  },
  {
    name: 'timeouts above 2**31-1 ms mean no timeout, never an immediate one',
    async run({ make }) {
      const ex = make({ maxWorkers: 1, taskTimeout: 2 ** 32 });
      assert.equal(await ex.submit('sleep', [30, 'a']), 'a');
      assert.equal(await ex.submit('sleep', [30, 'b'], { timeout: 2 ** 31 }), 'b');
      assert.equal(await ex.submit('sleep', [30, 'c'], { timeout: 10 * 365 * 24 * 3600 * 1000 }), 'c');
      assert.equal(ex.stats().timedOut, 0);
    },
  },
  {
    name: 'capacity() with maxQueue 0 resolves while a worker slot is free',
    async run({ make, slots }) {
      const ex = make({ ...slots(1), maxQueue: 0 });
      await ex.capacity();
      const first = ex.submit('sleep', [60, 'first']);
      await ex.capacity();
      assert.equal(await ex.submit('sleep', [1, 'second']), 'second');
      assert.equal(await first, 'first');
    },
  },
  {
    name: 'one freed slot wakes one capacity() waiter: no waiter gets QueueFullError',
    async run({ make, slots }) {
      const ex = make({ ...slots(1), maxQueue: 1 });
      await warm(ex, 1);
      const running = ex.submit('sleep', [80, 'r']);
      const queued = ex.submit('sleep', [20, 'q']);
      const outcomes: Promise<unknown>[] = [];
      for (let i = 0; i < 3; i++) outcomes.push(ex.capacity().then(() => ex.submit('sleep', [10, i])));
      const settled = await Promise.allSettled([running, queued, ...outcomes]);
      for (const r of settled) if (r.status === 'rejected') assert.ok(!(r.reason instanceof QueueFullError), `got ${(r.reason as Error).message}`);
      assert.deepEqual(
        settled.map((r) => (r as PromiseFulfilledResult<unknown>).value),
        ['r', 'q', 0, 1, 2],
      );
    },
  },
  {
    name: 'a cancelled task that would kill its worker takes no neighbour with it',
    needs: ['isolation'],
    async run({ make }) {
      const ex = make({ maxWorkers: 1, minWorkers: 1 });
      await Promise.all(Array.from({ length: 500 }, (_, i) => ex.submit('inc', [i])));
      const long = ex.submit('spin', [300]);
      const dying = ex.submit('exitProcess', [2]);
      const five = ex.submit('add', [2, 3]);
      await until(() => long.running(), 5000, 'the long task to start');
      dying.cancel();
      assert.equal(await five, 5);
      await long;
      assert.equal(ex.stats().crashedWorkers, 0);
    },
  },
  {
    name: 'a burst of cancellations stops no worker: only a task that ignores its cancel does',
    timeout: 30_000,
    async run({ make, sleep, target }) {
      const ex = make({ maxWorkers: 2, minWorkers: 2 });
      await warm(ex, 2);
      const fs = Array.from({ length: 20_000 }, (_, i) => ex.submit('inc', [i]));
      for (const f of fs) f.cancel();
      await Promise.allSettled(fs);
      await sleep(400);
      assert.equal(await ex.submit('inc', [1]), 2);
      if (target.capabilities.localWorkers) assert.equal(ex.stats().spawnedWorkers, 2);
    },
  },
  {
    name: 'stats() counts a task once: a cancelled task whose argument cannot be sent is not also failed',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const f = ex.submit('echo', [() => 1] as never);
      f.cancel();
      await f.catch(() => {});
      await ex.submit('inc', [1]);
      const s = ex.stats();
      assert.deepEqual({ cancelled: s.cancelled, failed: s.failed, completed: s.completed }, { cancelled: 1, failed: 0, completed: 1 });
    },
  },
  {
    name: 'recycling with minWorkers = maxWorkers never runs more workers than maxWorkers',
    async run({ make }) {
      const ex = make({ maxWorkers: 2, minWorkers: 2, maxTasksPerWorker: 1 });
      let most = 0;
      const poll = setInterval(() => {
        most = Math.max(most, ex.stats().workers);
      }, 1);
      await Promise.all([ex.submit('sleep', [400]), ex.submit('inc', [1]), ex.submit('inc', [2])]);
      clearInterval(poll);
      most = Math.max(most, ex.stats().workers);
      assert.ok(most <= 2, `saw ${most} live workers`);
    },
  },
];
