import { CancelledError, TimeoutError } from '@offload/core';
import { assert, type Case, until } from '../harness.js';

export const cancellationCases: Case[] = [
  {
    name: 'cancelling a queued task removes it: it never runs',
    async run({ make, slots, target }) {
      const ex = make(slots(1));
      const blocker = ex.submit('sleep', [60]);
      const victim = ex.submit('countRun', []);
      assert.equal(victim.cancel('not needed'), true);
      assert.equal(victim.state, 'cancelled');
      assert.ok(victim.cancelled());
      const e = await assert.rejects(victim, CancelledError, 'ERR_OFFLOAD_CANCELLED');
      assert.ok(e.message.includes('not needed'));
      await blocker;
      // The run counter is per worker: only one the caller owns is sure to be the one the task would have used.
      if (target.capabilities.localWorkers) assert.equal(await ex.submit('runs', []), 0, 'the cancelled task never ran');
    },
  },
  {
    name: 'cancelling a running task aborts the signal the task sees, and keeps its worker',
    needs: ['localWorkers'],
    async run({ make }) {
      const ex = make({ maxWorkers: 1, cancelGrace: 2000 });
      await ex.submit('inc', [0]);
      const f = ex.submit('waitForAbort', [5000]);
      await until(() => f.running());
      await new Promise((r) => setTimeout(r, 30));
      f.cancel();
      await assert.rejects(f, CancelledError);
      assert.equal(await ex.submit('abortsSeen', []), 1, 'the task saw its signal abort');
      assert.equal(ex.stats().spawnedWorkers, 1, 'the worker was not replaced');
    },
  },
  {
    name: 'a running task that ignores cancellation is killed after the grace period, without hurting a neighbour',
    needs: ['killRunning'],
    async run({ make }) {
      const ex = make({ maxWorkers: 2, cancelGrace: 100 });
      await Promise.all([ex.submit('inc', [0]), ex.submit('sleep', [5])]);
      const stuck = ex.submit('spin', [8000]);
      const neighbour = ex.submit('sleep', [400, 'neighbour ok']);
      await new Promise((r) => setTimeout(r, 50));
      const t0 = Date.now();
      stuck.cancel();
      await assert.rejects(stuck, CancelledError);
      assert.equal(await neighbour, 'neighbour ok');
      assert.equal(await ex.submit('inc', [1]), 2);
      await until(() => ex.stats().busyWorkers === 0, 3000, 'the stuck worker to be terminated');
      assert.ok(Date.now() - t0 < 4000, 'the stuck worker was stopped long before its task would end');
    },
  },
  {
    name: 'an already-aborted signal rejects at once and the task never runs',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const f = ex.submit('countRun', [], { signal: AbortSignal.abort('too late') });
      assert.equal(f.state, 'cancelled');
      await assert.rejects(f, CancelledError);
      assert.equal(await ex.submit('runs', []), 0);
    },
  },
  {
    name: 'aborting a signal later cancels a queued and a running task',
    async run({ make, slots, target }) {
      const ex = make({ ...slots(1), cancelGrace: 2000 });
      await ex.submit('inc', [0]);
      const ac = new AbortController();
      const running = ex.submit('waitForAbort', [5000], { signal: ac.signal });
      const queued = ex.submit('countRun', [], { signal: ac.signal });
      await until(() => running.running());
      ac.abort(new Error('user left'));
      await assert.rejects(running, CancelledError);
      await assert.rejects(queued, CancelledError);
      if (target.capabilities.localWorkers) assert.equal(await ex.submit('runs', []), 0);
    },
  },
  {
    name: 'a timeout counts running time only, not time in the queue',
    async run({ make, slots }) {
      const ex = make(slots(1));
      const blocker = ex.submit('sleep', [300]);
      const timed = ex.submit('sleep', [50, 'in time'], { timeout: 200 });
      await blocker;
      assert.equal(await timed, 'in time');
    },
  },
  {
    name: 'a task over its timeout rejects with TimeoutError and the pool keeps serving',
    async run({ make }) {
      const ex = make({ maxWorkers: 1, cancelGrace: 50 });
      const e = await assert.rejects(ex.submit('sleep', [3000], { timeout: 60 }), TimeoutError, 'ERR_OFFLOAD_TIMEOUT');
      assert.equal((e as TimeoutError).timeout, 60);
      assert.equal(await ex.submit('inc', [1]), 2);
      assert.equal(ex.stats().timedOut, 1);
    },
  },
  {
    name: 'a CPU-bound task over its timeout is stopped by replacing its worker',
    needs: ['killRunning'],
    async run({ make }) {
      const ex = make({ maxWorkers: 1, taskTimeout: 100, cancelGrace: 50 });
      const t0 = Date.now();
      await assert.rejects(ex.submit('spin', [8000]), TimeoutError);
      assert.equal(await ex.submit('inc', [1]), 2);
      assert.ok(Date.now() - t0 < 4000, 'the spinning worker was terminated');
    },
  },
];
