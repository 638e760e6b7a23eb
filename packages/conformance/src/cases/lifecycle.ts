import { ExecutorShutdownError } from '@offload/core';
import { assert, type Case, until } from '../harness.js';

export const lifecycleCases: Case[] = [
  {
    name: 'maxTasksPerWorker replaces a worker after that many tasks',
    needs: ['localWorkers'],
    async run({ make }) {
      const ex = make({ maxWorkers: 1, maxTasksPerWorker: 3 });
      const tokens: unknown[] = [];
      for (let i = 0; i < 7; i++) tokens.push(await ex.submit('token', []));
      assert.equal(new Set(tokens).size, 3, `tokens: ${tokens.join(',')}`);
      assert.equal(tokens[0], tokens[2]);
      assert.ok(tokens[2] !== tokens[3]);
    },
  },
  {
    name: 'idle workers above minWorkers stop after idleTimeout, and the pool grows again on demand',
    needs: ['localWorkers'],
    async run({ make }) {
      const ex = make({ maxWorkers: 2, minWorkers: 1, idleTimeout: 50 });
      await until(() => ex.stats().workers === 1, 5000, 'minWorkers to start');
      await Promise.all([ex.submit('sleep', [30]), ex.submit('sleep', [30])]);
      assert.equal(ex.stats().spawnedWorkers, 2);
      await until(() => ex.stats().workers === 1, 5000, 'the idle worker to stop');
      await Promise.all([ex.submit('sleep', [30]), ex.submit('sleep', [30])]);
      assert.equal(ex.stats().spawnedWorkers, 3);
    },
  },
  {
    name: 'shutdown() waits for running and queued tasks, then stops every worker',
    async run({ make, slots }) {
      const ex = make(slots(1));
      const a = ex.submit('sleep', [50, 'a']);
      const b = ex.submit('sleep', [10, 'b']);
      await ex.shutdown();
      assert.equal(a.state, 'fulfilled');
      assert.equal(b.state, 'fulfilled');
      assert.equal(ex.stats().workers, 0);
    },
  },
  {
    name: 'shutdown({ wait: false }) returns at once; accepted tasks still finish',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const a = ex.submit('sleep', [80, 'a']);
      await ex.shutdown({ wait: false });
      assert.equal(a.done(), false);
      assert.equal(await a, 'a');
      await until(() => ex.stats().workers === 0, 5000, 'workers to stop');
    },
  },
  {
    name: 'shutdown({ cancelPending: true }) cancels queued tasks and lets the running one finish',
    async run({ make, slots }) {
      const ex = make(slots(1));
      const running = ex.submit('sleep', [60, 'done']);
      const queued = [ex.submit('inc', [1]), ex.submit('inc', [2])];
      await ex.shutdown({ cancelPending: true });
      assert.equal(await running, 'done');
      assert.deepEqual(
        queued.map((f) => f.state),
        ['cancelled', 'cancelled'],
      );
    },
  },
  {
    name: 'submit after shutdown rejects with ExecutorShutdownError; shutdown is idempotent',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      await ex.submit('inc', [1]);
      const first = ex.shutdown();
      const second = ex.shutdown();
      await Promise.all([first, second, ex.shutdown()]);
      assert.ok(ex.closed);
      await assert.rejects(ex.submit('inc', [1]), ExecutorShutdownError, 'ERR_OFFLOAD_SHUTDOWN');
    },
  },
  {
    name: '`await using` shuts the executor down at the end of the block',
    async run({ target }) {
      let outer: ReturnType<typeof target.create> | undefined;
      {
        await using ex = target.create(target.fixture('tasks'), { maxWorkers: 1 });
        outer = ex;
        assert.equal(await ex.submit('inc', [1]), 2);
      }
      assert.ok(outer.closed);
      assert.equal(outer.stats().workers, 0);
    },
  },
  {
    name: 'a program that shuts its executor down exits by itself (no leaked handles)',
    needs: ['processExit'],
    timeout: 20_000,
    async run({ target }) {
      const r = await (target.exitsAfterShutdown as NonNullable<typeof target.exitsAfterShutdown>)();
      assert.ok(r.exited, r.detail);
    },
  },
];
