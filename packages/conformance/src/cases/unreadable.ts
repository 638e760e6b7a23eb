import { CancelledError, SerializationError, WorkerCrashedError } from '@offload/core';
import { HOSTILE_ERRORS, HOSTILE_OBJECTS, hostileValue, revokedProxy } from '../fixtures/hostile.js';
import { assert, type Case, until } from '../harness.js';

/** Settle `p` into its rejection reason, or fail when it fulfils. */
async function reasonOf(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection, but it fulfilled');
}

/**
 * Values that throw as soon as they are looked at (revoked Proxies, Proxies
 * whose traps throw, getters that throw, objects without a prototype; see
 * fixtures/hostile.ts): where they come from (a task's throw or result, a
 * stream item, an argument, a cancel reason), they fail or cancel their own
 * task with a clear error, and neither the worker nor the caller goes down.
 */
export const unreadableCases: Case[] = [
  {
    name: 'a task that throws or rejects with a value that cannot be read fails alone with what can be read of it, and its worker lives on',
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1 });
      const token = await ex.submit('token', []);
      for (const task of ['throwHostile', 'rejectHostile'] as const) {
        for (const kind of HOSTILE_OBJECTS) {
          const reason = await reasonOf(ex.submit(task, [kind]));
          assert.ok(!(reason instanceof WorkerCrashedError), `${task}(${kind}): the worker died: ${String((reason as Error)?.message)}`);
          // A thrown non-Error that cannot be cloned arrives as its text.
          assert.ok(typeof reason === 'string' && reason.length > 0, `${task}(${kind}) arrives as a description, got ${typeof reason}`);
        }
        for (const kind of HOSTILE_ERRORS) {
          const reason = await reasonOf(ex.submit(task, [kind]));
          // The Error arrives with what could be read of it.
          assert.ok(reason instanceof Error && !(reason instanceof WorkerCrashedError), `${task}(${kind}) rejects with its Error, got ${String(reason)}`);
          assert.equal((reason as Error).message, `hostile ${kind}`, `${task}(${kind})`);
        }
      }
      assert.equal(await ex.tasks.inc(1), 2);
      if (target.capabilities.localWorkers) {
        assert.equal(await ex.submit('token', []), token, 'the same worker still serves');
        assert.equal(ex.stats().crashedWorkers, 0, 'crashed workers');
      }
    },
  },
  {
    name: 'a task that returns a value that cannot be read fails with SerializationError, and its worker lives on',
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1 });
      for (const kind of HOSTILE_OBJECTS) {
        const e = await assert.rejects(ex.submit('returnHostile', [kind]), SerializationError, 'ERR_OFFLOAD_SERIALIZATION');
        assert.ok(e.message.includes('result of task "returnHostile"'), e.message);
      }
      assert.equal(await ex.tasks.inc(1), 2);
      if (target.capabilities.localWorkers) assert.equal(ex.stats().crashedWorkers, 0, 'crashed workers');
    },
  },
  {
    name: 'a stream item that cannot be read ends the stream with SerializationError after the items before it',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      for (const kind of HOSTILE_OBJECTS) {
        const items: unknown[] = [];
        const error = await reasonOf(
          (async () => {
            for await (const item of ex.stream('yieldHostile', [kind])) items.push(item);
          })(),
        );
        assert.ok(error instanceof SerializationError, `${kind}: expected a SerializationError, got ${String(error)}`);
        assert.deepEqual(items, [0]);
      }
      assert.equal(await ex.tasks.inc(1), 2);
    },
  },
  {
    name: 'an argument that cannot be read rejects with SerializationError naming it; its neighbours run and the executor keeps working',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const getOnlyTrap = new Proxy(
        {},
        {
          get() {
            throw new Error('a trap that throws');
          },
        },
      );
      const throwsRevoked = {
        get x() {
          throw revokedProxy();
        },
      };
      for (const arg of [...HOSTILE_OBJECTS.map(hostileValue), getOnlyTrap, throwsRevoked]) {
        const before = ex.submit('inc', [1]);
        const bad = ex.submit('echo', [arg]);
        const after = ex.submit('inc', [2]);
        const e = await assert.rejects(bad, SerializationError, 'ERR_OFFLOAD_SERIALIZATION');
        assert.ok(e.message.includes('Argument 0') && e.message.includes('"echo"'), e.message);
        assert.deepEqual(await Promise.all([before, after]), [2, 3]);
      }
      assert.equal(await ex.tasks.inc(5), 6);
    },
  },
  {
    name: 'a signal aborted with a reason that has no text (no prototype, a revoked Proxy) cancels with CancelledError, before and while the task runs',
    async run({ make, slots }) {
      const ex = make({ ...slots(1), cancelGrace: 2000 });
      await ex.submit('inc', [0]);
      for (const reason of [Object.create(null), revokedProxy()]) {
        const f = ex.submit('inc', [1], { signal: AbortSignal.abort(reason) });
        assert.equal(f.state, 'cancelled');
        await assert.rejects(f, CancelledError);
        const ac = new AbortController();
        const running = ex.submit('waitForAbort', [5000], { signal: ac.signal });
        const queued = ex.submit('inc', [2], { signal: ac.signal });
        await until(() => running.running(), 5000, 'the task to start');
        ac.abort(reason);
        await assert.rejects(running, CancelledError);
        await assert.rejects(queued, CancelledError);
        const direct = ex.submit('sleep', [5000]);
        assert.equal(direct.cancel(reason), true);
        await assert.rejects(direct, CancelledError);
      }
      assert.equal(await ex.tasks.inc(1), 2);
    },
  },
];
