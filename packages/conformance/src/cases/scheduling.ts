import { QueueFullError } from '@offload/core';
import { assert, type Case, until } from '../harness.js';

export const schedulingCases: Case[] = [
  {
    name: 'maxWorkers is never exceeded',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      let most = 0;
      const fs = Array.from({ length: 12 }, () => ex.submit('sleep', [20]));
      const poll = setInterval(() => {
        most = Math.max(most, ex.stats().workers);
      }, 2);
      await Promise.all(fs);
      clearInterval(poll);
      assert.ok(most <= 2, `saw ${most} workers`);
      assert.ok(ex.stats().spawnedWorkers <= 2);
    },
  },
  {
    name: 'higher priority runs first; equal priorities keep submission order',
    // Tasks queue in the caller because its one slot is busy.
    async run({ make, slots }) {
      const ex = make(slots(1));
      const order: string[] = [];
      const blocker = ex.submit('sleep', [100]);
      const tag = (name: string, p: Promise<unknown>) => p.then(() => order.push(name));
      const all = [
        tag('low', ex.submit('inc', [1], { priority: -1 })),
        tag('normal-1', ex.submit('inc', [1])),
        tag('high', ex.submit('inc', [1], { priority: 5 })),
        tag('normal-2', ex.submit('inc', [1])),
      ];
      await blocker;
      await Promise.all(all);
      assert.deepEqual(order, ['high', 'normal-1', 'normal-2', 'low']);
    },
  },
  {
    name: 'maxQueue rejects overflow with QueueFullError and loses nothing already accepted',
    async run({ make, slots }) {
      const ex = make({ ...slots(1), maxQueue: 2 });
      const running = ex.submit('sleep', [80, 'r']);
      const q1 = ex.submit('sleep', [1, 'q1']);
      const q2 = ex.submit('sleep', [1, 'q2']);
      const over = ex.submit('sleep', [1, 'over']);
      const e = await assert.rejects(over, QueueFullError, 'ERR_OFFLOAD_QUEUE_FULL');
      assert.ok(e.message.includes('capacity()'), e.message);
      assert.deepEqual(await Promise.all([running, q1, q2]), ['r', 'q1', 'q2']);
    },
  },
  {
    name: 'capacity() resolves when the queue has room, without polling',
    async run({ make, slots }) {
      const ex = make({ ...slots(1), maxQueue: 1 });
      const results: Promise<unknown>[] = [];
      for (let i = 0; i < 6; i++) {
        await ex.capacity();
        results.push(ex.submit('sleep', [10, i]));
      }
      assert.deepEqual(await Promise.all(results), [0, 1, 2, 3, 4, 5]);
    },
  },
  {
    name: 'concurrentTasksPerWorker runs async tasks side by side in one worker',
    needs: ['localWorkers'],
    async run({ make }) {
      const ex = make({ maxWorkers: 1, concurrentTasksPerWorker: 3 });
      const most = await Promise.all([ex.submit('probe', [60]), ex.submit('probe', [60]), ex.submit('probe', [60])]);
      assert.equal(Math.max(...(most as number[])), 3);
      assert.equal(ex.stats().spawnedWorkers, 1);
    },
  },
  {
    name: 'a huge concurrentTasksPerWorker (1e9) is taken: async tasks run and the worker lives',
    async run({ make }) {
      const ex = make({ maxWorkers: 1, concurrentTasksPerWorker: 1e9 });
      const most = (await Promise.all(Array.from({ length: 20 }, () => ex.submit('probe', [50])))) as number[];
      assert.equal(most.length, 20);
      assert.equal(await ex.submit('add', [1, 2]), 3);
      assert.equal(ex.stats().crashedWorkers, 0);
    },
  },
  {
    name: '10,000 tiny tasks all return the right result',
    timeout: 30_000,
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      const fs = Array.from({ length: 10_000 }, (_, i) => ex.submit('add', [i, 1]));
      const rs = (await Promise.all(fs)) as number[];
      for (let i = 0; i < rs.length; i++) if (rs[i] !== i + 1) assert.equal(rs[i], i + 1, `task ${i}`);
      assert.equal(ex.stats().completed, 10_000);
    },
  },
  {
    name: "the caller's event loop keeps ticking while workers compute",
    needs: ['parallel'],
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      await ex.submit('inc', [0]);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      await Promise.all([ex.submit('spin', [300]), ex.submit('spin', [300])]);
      clearInterval(timer);
      assert.ok(ticks >= 5, `only ${ticks} ticks while 600 ms of CPU work ran`);
    },
  },
  {
    name: 'stats() counts workers, queue and outcomes',
    async run({ make, slots, target }) {
      const ex = make(slots(1));
      const a = ex.submit('sleep', [60]);
      const b = ex.submit('inc', [1]);
      const c = ex.submit('inc', [2]);
      c.cancel();
      let s = ex.stats();
      // A shared pool of machines is not the caller's: its stats() counts no workers of its own.
      assert.equal(s.workers, target.capabilities.localWorkers ? 1 : 0);
      assert.equal(s.queued, 1);
      assert.equal(s.running, 1);
      await Promise.all([a, b]);
      await ex.submit('throwError', ['Error', 'x']).catch(() => {});
      s = ex.stats();
      assert.deepEqual(
        { completed: s.completed, failed: s.failed, cancelled: s.cancelled, queued: s.queued, running: s.running, busy: s.busyWorkers },
        { completed: 2, failed: 1, cancelled: 1, queued: 0, running: 0, busy: 0 },
      );
    },
  },
];

/** Cases of the head-of-line guarantee: a task sent ahead never waits behind a long one while another worker is free. */
export const headOfLineCases: Case[] = [
  {
    name: 'short tasks sent ahead never wait behind a long one while another worker is free',
    needs: ['parallel'],
    timeout: 30_000,
    async run({ make }) {
      const ex = make({ maxWorkers: 2, minWorkers: 2 });
      // Many trivial tasks first: the scheduler learns they are short and sends them ahead.
      await Promise.all(Array.from({ length: 3000 }, (_, i) => ex.submit('inc', [i])));
      let longDone = false;
      const long = ex.submit('spin', [2000]).then(() => {
        longDone = true;
      });
      const shorts = Array.from({ length: 200 }, (_, i) => ex.submit('inc', [i]));
      const stranded: number[] = [];
      await Promise.all(shorts.map((f, i) => f.then(() => longDone && stranded.push(i))));
      assert.deepEqual(stranded, [], 'short tasks that finished only after the long one');
      await long;
    },
  },
  {
    name: 'a task sent ahead to a busy worker is pending, not running, until the worker starts it',
    // Over BullMQ each of the 500 warm-up tasks waits a Redis round trip for the one slot.
    timeout: 30_000,
    async run({ make, slots }) {
      const ex = make({ ...slots(1), minWorkers: 1 });
      await Promise.all(Array.from({ length: 500 }, (_, i) => ex.submit('inc', [i])));
      const blocker = ex.submit('sleep', [300]);
      const next = ex.submit('inc', [1]);
      await until(() => blocker.running(), 5000, 'the blocker to start');
      assert.equal(next.state, 'pending');
      assert.equal(next.running(), false);
      await blocker;
      assert.equal(await next, 2);
    },
  },
];
