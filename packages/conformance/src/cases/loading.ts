import { WorkerInitError } from '@offload/core';
import { assert, type Case, type FixtureName, type Need } from '../harness.js';

/** Far below the default startTimeout (60 s), which the cases leave as it is. */
const PROMPTLY_MS = 10_000;

const neverExposes = (fixture: FixtureName, what: string, needs: Need[] = []): Case => ({
  name: `a module that ${what} rejects tasks at once with a WorkerInitError naming expose()`,
  needs,
  async run({ make }) {
    const ex = make({ maxWorkers: 2, minWorkers: 2 }, fixture);
    const t0 = Date.now();
    const fs = [ex.submit('never' as 'inc', [] as never), ex.submit('never' as 'inc', [] as never)];
    await Promise.allSettled(fs);
    for (const f of fs) {
      const e = await assert.rejects(f, WorkerInitError, 'ERR_OFFLOAD_WORKER_INIT');
      assert.ok(e.message.includes('expose()'), e.message);
      assert.ok(!e.message.includes('did not start within'), `reported by startTimeout: ${e.message}`);
    }
    const ms = Date.now() - t0;
    assert.ok(ms < PROMPTLY_MS, `settled after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(ex.stats().spawnedWorkers <= 2, `spawned ${ex.stats().spawnedWorkers} workers`);
  },
});

export const loadingCases: Case[] = [
  neverExposes('no-expose', 'imports @offload/core/worker but never calls expose()'),
  neverExposes('plain-module', 'imports nothing of Offload', ['bootstrap']),
  {
    name: 'a module that throws while loading is reported as a load failure, not as a missing expose()',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 }, 'broken');
      const t0 = Date.now();
      const e = await assert.rejects(ex.submit('never' as 'inc', [] as never), WorkerInitError, 'ERR_OFFLOAD_WORKER_INIT');
      assert.ok(Date.now() - t0 < PROMPTLY_MS, `settled after ${Date.now() - t0} ms`);
      assert.ok(!e.message.includes('expose()'), e.message);
    },
  },
  ...(['ends-while-loading', 'ends-in-init'] as const).map(
    (fixture): Case => ({
      name: `a worker that ends itself ${fixture === 'ends-in-init' ? 'in init' : 'while its module loads'} rejects tasks promptly with WorkerInitError, without a respawn loop`,
      needs: ['isolation'],
      async run({ make }) {
        const ex = make({ maxWorkers: 2, minWorkers: 2 }, fixture);
        const t0 = Date.now();
        const fs = [ex.submit('answer' as 'inc', [] as never), ex.submit('answer' as 'inc', [] as never)];
        await Promise.allSettled(fs);
        for (const f of fs) await assert.rejects(f, WorkerInitError, 'ERR_OFFLOAD_WORKER_INIT');
        const ms = Date.now() - t0;
        assert.ok(ms < PROMPTLY_MS, `settled after ${ms} ms`);
        await new Promise((r) => setTimeout(r, 200));
        assert.ok(ex.stats().spawnedWorkers <= 2, `spawned ${ex.stats().spawnedWorkers} workers`);
      },
    }),
  ),
  {
    name: 'a module that calls expose() after a top-level await starts normally',
    async run({ make }) {
      const ex = make({ maxWorkers: 2, minWorkers: 2 }, 'late-expose');
      const answers = await Promise.all([ex.submit('answer' as 'inc', [] as never), ex.submit('answer' as 'inc', [] as never)]);
      assert.deepEqual(answers, [42, 42]);
    },
  },
];
