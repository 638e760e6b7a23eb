import { SerializationError, WorkerCrashedError } from '@offload/core';
import { hostileValue } from '../fixtures/hostile.js';
import { assert, type Case } from '../harness.js';

/** Settle `p` into a value either way, so a case can look at what came back. */
const outcome = (p: PromiseLike<unknown>): Promise<{ value?: unknown; error?: unknown; rejected: boolean }> =>
  Promise.resolve(p).then(
    (value) => ({ value, rejected: false }),
    (error: unknown) => ({ error, rejected: true }),
  );

const unreadable = ['revokedProxy', 'throwingProxy'];
const hostileErrors = ['errorWithThrowingName', 'errorWithThrowingProperty', 'errorWithThrowingCause'];

/** Values that throw when they are read: a task's, or a caller's. Reading them must never take a worker or the caller down. */
export const hostileValueCases: Case[] = [
  {
    name: 'a task that throws a value which cannot be read (a revoked Proxy, an Error with throwing getters) rejects with what can be read, and no worker dies',
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1 });
      for (const task of ['throwHostile', 'rejectHostile'] as const) {
        for (const kind of unreadable) {
          const r = await outcome(ex.submit(task, [kind]));
          assert.ok(r.rejected, `${task}(${kind}) rejects`);
          assert.ok(!(r.error instanceof WorkerCrashedError), `${task}(${kind}) took its worker down: ${String((r.error as Error)?.message)}`);
          assert.ok(typeof r.error === 'string' && r.error.length > 0, `${task}(${kind}) arrives as a description, got ${typeof r.error}`);
        }
        for (const kind of hostileErrors) {
          const r = await outcome(ex.submit(task, [kind]));
          assert.ok(r.error instanceof Error && !(r.error instanceof WorkerCrashedError), `${task}(${kind}) rejects with its Error, got ${String(r.error)}`);
          assert.equal((r.error as Error).message, `hostile ${kind}`, `${task}(${kind})`);
        }
      }
      assert.equal(await ex.tasks.inc(1), 2);
      if (target.capabilities.localWorkers) assert.equal(ex.stats().crashedWorkers, 0, 'crashed workers');
    },
  },
  {
    name: 'a task that returns a value which cannot be read rejects with SerializationError, and no worker dies',
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1 });
      for (const kind of unreadable) {
        const e = await assert.rejects(ex.submit('returnHostile', [kind]), SerializationError, 'ERR_OFFLOAD_SERIALIZATION');
        assert.ok(e.message.includes('result of task "returnHostile"'), e.message);
      }
      assert.equal(await ex.tasks.inc(1), 2);
      if (target.capabilities.localWorkers) assert.equal(ex.stats().crashedWorkers, 0, 'crashed workers');
    },
  },
  {
    name: 'an argument which cannot be read (a revoked Proxy, a Proxy whose traps throw) rejects with SerializationError; its neighbours run',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      for (const kind of unreadable) {
        const before = ex.submit('inc', [1]);
        const bad = ex.submit('echo', [hostileValue(kind)]);
        const after = ex.submit('inc', [2]);
        const e = await assert.rejects(bad, SerializationError, 'ERR_OFFLOAD_SERIALIZATION');
        assert.ok(e.message.includes('Argument 0') && e.message.includes('"echo"'), e.message);
        assert.deepEqual(await Promise.all([before, after]), [2, 3]);
      }
      assert.equal(await ex.tasks.inc(5), 6);
    },
  },
];
