import { CancelledError, Future } from '@offload/core';
import { assert, type Case, until } from '../harness.js';

export const futureCases: Case[] = [
  {
    name: 'submit returns a Future that is a real Promise',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const f = ex.submit('add', [2, 3]);
      assert.ok(f instanceof Promise, 'Future extends Promise');
      assert.ok(f instanceof Future);
      const chained = f.then((v) => v * 2);
      assert.ok(!(chained instanceof Future), 'then() returns a plain Promise');
      assert.equal(await chained, 10);
      assert.deepEqual(await Promise.all([f, ex.submit('inc', [1])]), [5, 2]);
    },
  },
  {
    name: 'state goes pending -> running -> fulfilled, and rejected on error',
    async run({ make, slots }) {
      const ex = make(slots(1));
      const blocker = ex.submit('sleep', [300]);
      const queued = ex.submit('add', [1, 1]);
      // Running means executing: not while the worker is still starting.
      assert.equal(blocker.state, 'pending');
      await until(() => blocker.running(), 5000, 'the task to start');
      assert.ok(blocker.running() && !blocker.done());
      // Queued behind the one slot.
      assert.equal(queued.state, 'pending');
      await blocker;
      assert.equal(blocker.state, 'fulfilled');
      assert.ok(blocker.done());
      assert.equal(await queued, 2);
      const bad = ex.submit('throwError', ['Error', 'x']);
      await bad.catch(() => {});
      assert.equal(bad.state, 'rejected');
    },
  },
  {
    name: 'the typed tasks proxy submits by name',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const f = ex.tasks.add(40, 2);
      assert.ok(f instanceof Future);
      assert.equal(await f, 42);
      assert.equal(await ex.tasks.echo('hi'), 'hi');
    },
  },
  {
    name: 'cancel() after completion returns false and keeps the result',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const f = ex.submit('inc', [1]);
      assert.equal(await f, 2);
      assert.equal(f.cancel(), false);
      assert.equal(f.state, 'fulfilled');
      assert.equal(f.cancelled(), false);
    },
  },
  {
    name: 'every future settles exactly once, whatever ends it',
    async run({ make }) {
      const ex = make({ maxWorkers: 2, cancelGrace: 50 });
      const settles = new Map<Future<unknown>, number>();
      const watch = (f: Future<unknown>) => {
        settles.set(f, 0);
        f.then(
          () => settles.set(f, (settles.get(f) ?? 0) + 1),
          () => settles.set(f, (settles.get(f) ?? 0) + 1),
        );
        return f;
      };
      const fs = [
        watch(ex.submit('inc', [1])),
        watch(ex.submit('throwError', ['Error', 'no'])),
        watch(ex.submit('sleep', [2000], { timeout: 50 })),
        watch(ex.submit('sleep', [2000])),
        watch(ex.submit('sleep', [10])),
      ];
      (fs[3] as Future<unknown>).cancel();
      (fs[3] as Future<unknown>).cancel();
      await Promise.allSettled(fs);
      await ex.shutdown({ cancelPending: true });
      await new Promise((r) => setTimeout(r, 20));
      for (const [f, n] of settles) assert.equal(n, 1, `future in state ${f.state} settled ${n} times`);
      assert.deepEqual(
        fs.map((f) => f.state),
        ['fulfilled', 'rejected', 'rejected', 'cancelled', 'fulfilled'],
      );
      await assertCancelled(fs[3] as Future<unknown>);
    },
  },
];

async function assertCancelled(f: Future<unknown>): Promise<void> {
  const e = await assert.rejects(f, CancelledError, 'ERR_OFFLOAD_CANCELLED');
  assert.ok(e.message.length > 0);
}
