import { CancelledError, SerializationError, WorkerCrashedError } from '@offload/core';
import { assert, type Case, until } from '../harness.js';

/** A Proxy that has been revoked: every operation on it throws, `typeof` and identity aside. */
function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

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
 * whose traps throw, getters that throw, objects without a prototype): where
 * they come from (a task's throw or result, an argument, a cancel reason),
 * they fail or cancel their own task with a clear error, and nothing else.
 */
export const unreadableCases: Case[] = [
  {
    name: 'a task that throws a value that cannot be read fails alone with that error, and its worker lives on',
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1 });
      const token = await ex.submit('token', []);
      for (const async of [false, true]) {
        for (const kind of ['revoked', 'trapped', 'getter', 'name', 'cause']) {
          const reason = await reasonOf(ex.submit('throwUnreadable', [kind, async]));
          const where = `${kind}${async ? ' (async)' : ''}`;
          assert.ok(!(reason instanceof WorkerCrashedError), `${where}: the worker died: ${String((reason as Error)?.message)}`);
          if (kind === 'getter' || kind === 'name' || kind === 'cause') {
            // The Error arrives with what could be read of it.
            assert.ok(reason instanceof Error, `${where}: expected an Error, got ${typeof reason}`);
            assert.ok((reason as Error).message.startsWith('an error'), `${where}: ${(reason as Error).message}`);
          } else assert.equal(typeof reason, 'string', `${where}: a thrown non-Error that cannot be cloned arrives as its text`);
        }
      }
      assert.equal(await ex.tasks.inc(1), 2);
      if (target.capabilities.localWorkers) {
        assert.equal(await ex.submit('token', []), token, 'the same worker still serves');
        assert.equal(ex.stats().crashedWorkers, 0);
      }
    },
  },
  {
    name: 'a task that returns a value that cannot be read fails with SerializationError, and its worker lives on',
    async run({ make, target }) {
      const ex = make({ maxWorkers: 1 });
      for (const kind of ['revoked', 'trapped']) {
        const e = await assert.rejects(ex.submit('returnUnreadable', [kind]), SerializationError, 'ERR_OFFLOAD_SERIALIZATION');
        assert.ok(e.message.includes('result of task "returnUnreadable"'), e.message);
      }
      assert.equal(await ex.tasks.inc(1), 2);
      if (target.capabilities.localWorkers) assert.equal(ex.stats().crashedWorkers, 0);
    },
  },
  {
    name: 'a stream item that cannot be read ends the stream with SerializationError after the items before it',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      for (const kind of ['revoked', 'trapped']) {
        const items: unknown[] = [];
        const error = await reasonOf(
          (async () => {
            for await (const item of ex.stream('yieldUnreadable', [kind])) items.push(item);
          })(),
        );
        assert.ok(error instanceof SerializationError, `${kind}: expected a SerializationError, got ${String(error)}`);
        assert.deepEqual(items, [0]);
      }
      assert.equal(await ex.tasks.inc(1), 2);
    },
  },
  {
    name: 'an argument that cannot be read rejects with SerializationError, and the executor keeps working',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const trapped = new Proxy(
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
      for (const arg of [revokedProxy(), trapped, throwsRevoked]) {
        const before = ex.submit('inc', [1]);
        await assert.rejects(ex.submit('echo', [arg]), SerializationError, 'ERR_OFFLOAD_SERIALIZATION');
        assert.equal(await before, 2);
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
