import { WorkerCrashedError, WorkerInitError } from '@offload/core';
import { assert, type Case } from '../harness.js';

const crash = (task: 'exitProcess' | 'throwUncaught' | 'selfTerminate', args: unknown[]): Case => ({
  name: `a worker dying by ${task} rejects its task with WorkerCrashedError; queued tasks still complete`,
  needs: ['isolation'],
  async run({ make, target }) {
    const ex = make({ maxWorkers: 1 });
    await ex.submit('inc', [0]);
    const dying = ex.submit(task, args as never);
    const queued = [ex.submit('inc', [1]), ex.submit('inc', [2]), ex.submit('inc', [3])];
    const e = await assert.rejects(dying, WorkerCrashedError, 'ERR_OFFLOAD_WORKER_CRASHED');
    assert.ok(e.message.includes(task), e.message);
    assert.deepEqual(await Promise.all(queued), [2, 3, 4]);
    const s = ex.stats();
    assert.ok(s.crashedWorkers >= 1);
    // The replacement is the worker machine's: a caller without local workers cannot count it.
    if (target.capabilities.localWorkers) assert.ok(s.spawnedWorkers >= 2);
  },
});

export const crashCases: Case[] = [
  crash('exitProcess', [3]),
  crash('throwUncaught', []),
  crash('selfTerminate', []),
  {
    name: 'other tasks in flight on a crashing worker are retried, not failed',
    needs: ['isolation'],
    async run({ make }) {
      const ex = make({ maxWorkers: 1, concurrentTasksPerWorker: 4 });
      const others = [ex.submit('sleep', [100, 'a']), ex.submit('sleep', [100, 'b'])];
      const dying = ex.submit('exitProcess', [1]);
      await assert.rejects(dying, WorkerCrashedError);
      assert.deepEqual(await Promise.all(others), ['a', 'b']);
    },
  },
  {
    name: 'a module that throws while loading rejects with WorkerInitError, without a respawn loop',
    async run({ make }) {
      const ex = make({ maxWorkers: 2, minWorkers: 2 }, 'broken');
      const fs = Array.from({ length: 5 }, () => ex.submit('never' as 'inc', [] as never));
      await Promise.allSettled(fs);
      for (const f of fs) {
        const e = await assert.rejects(f, WorkerInitError, 'ERR_OFFLOAD_WORKER_INIT');
        assert.ok(e.message.length > 20, e.message);
      }
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(ex.stats().spawnedWorkers <= 2, `spawned ${ex.stats().spawnedWorkers} workers`);
      await assert.rejects(ex.submit('never' as 'inc', [] as never), WorkerInitError);
    },
  },
  {
    name: 'init runs once per worker with the init arguments',
    async run({ make }) {
      const ex = make({ maxWorkers: 1, init: ['config', 42] });
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await ex.submit('init', []), { initCalls: 1, initArgs: ['config', 42] });
      }
    },
  },
  {
    name: 'a failing init rejects tasks with WorkerInitError carrying the cause',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 }, 'init-fails');
      const e = await assert.rejects(ex.submit('never' as 'inc', [] as never), WorkerInitError);
      assert.ok(e.message.includes('init failed on purpose'), e.message);
      assert.ok(e.cause instanceof Error);
    },
  },
];
