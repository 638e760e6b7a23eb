/**
 * Input that fights back: option objects that are Proxies (revoked, or with
 * traps that throw), getters that throw or answer differently each time,
 * arrays where objects are expected, look-alike AbortSignals, and lists of
 * futures holding things that are not promises or thenables that throw. Each
 * is refused with InvalidArgumentError, or handled, never a bare TypeError
 * or a Future that never settles.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { asCompleted, wait } from '../src/combinators.js';
import { CancelledError, InvalidArgumentError } from '../src/errors.js';
import { InlineExecutor } from '../src/inline.js';
import { resolveOptions } from '../src/options.js';
import { decodeError } from '../src/protocol.js';
import { expose } from '../src/worker.js';

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const tasks = expose({ inc: (x: number) => x + 1 });
let open: InlineExecutor<typeof tasks>[] = [];
const make = () => {
  const ex = new InlineExecutor(tasks, { maxWorkers: 1 });
  open.push(ex);
  return ex;
};
afterEach(async () => {
  await Promise.all(open.map((ex) => ex.shutdown({ cancelPending: true })));
  open = [];
});

/** The error `fn` throws, checked to be an InvalidArgumentError with its code. */
function invalid(fn: () => unknown): InvalidArgumentError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as InvalidArgumentError).code).toBe('ERR_OFFLOAD_INVALID_ARGUMENT');
  return error as InvalidArgumentError;
}

describe('option objects that cannot be read', () => {
  const throwing = () =>
    new Proxy(
      {},
      {
        get() {
          throw new Error('a trap that throws');
        },
      },
    );
  /** Options whose `timeout` (task, stream and map options) and `cancelPending` (shutdown options) getters throw. */
  const getter = {
    get timeout(): number {
      throw new Error('a getter that throws');
    },
    get cancelPending(): boolean {
      throw new Error('a getter that throws');
    },
  };

  it('executor options: a revoked Proxy, a throwing trap or getter, an array are InvalidArgumentError', () => {
    invalid(() => resolveOptions(revokedProxy() as never, 1));
    expect(invalid(() => resolveOptions(throwing() as never, 1)).cause).toBeInstanceOf(Error);
    expect(
      invalid(() =>
        resolveOptions(
          {
            get maxWorkers(): number {
              throw new Error('no');
            },
          },
          1,
        ),
      ).message,
    ).toMatch(/maxWorkers/);
    invalid(() => resolveOptions([4] as never, 1));
    for (const bad of [revokedProxy(), throwing(), [4]]) invalid(() => new InlineExecutor(tasks, bad as never));
  });

  it('task, stream, map and shutdown options alike', async () => {
    const ex = make();
    for (const bad of [revokedProxy(), throwing(), getter, [1000]]) {
      invalid(() => ex.submit('inc', [1], bad as never));
      invalid(() => ex.stream('inc', [1], bad as never));
      invalid(() => ex.map('inc', [1, 2], bad as never));
      invalid(() => ex.shutdown(bad as never));
    }
    invalid(() => ex.submit('inc', revokedProxy() as never));
    expect(await ex.submit('inc', [1])).toBe(2);
  });

  it('values without a prototype, and a transfer list that cannot be read, are InvalidArgumentError', async () => {
    const ex = make();
    const bare = Object.create(null);
    for (const key of ['timeout', 'priority', 'highWaterMark', 'idleTimeout']) invalid(() => ex.stream('inc', [1], { [key]: bare }));
    invalid(() => ex.map('inc', [1], { chunkSize: bare }));
    invalid(() => wait([], { timeout: bare }));
    invalid(() => wait([], { returnWhen: bare }));
    invalid(() => resolveOptions({ maxWorkers: bare }, 1));
    const unreadable = new Proxy([], {
      get(target, key) {
        if (key === 'length' || key === Symbol.iterator) throw new Error('a trap that throws');
        return Reflect.get(target, key);
      },
    });
    invalid(() => ex.submit('inc', [1], { transfer: unreadable }));
    expect(await ex.submit('inc', [1])).toBe(2);
  });

  it('a getter is read once: what passed the check is what is used', async () => {
    const ex = make();
    let reads = 0;
    const options = {
      get priority(): number {
        reads++;
        return reads === 1 ? 1 : Number.NaN;
      },
    };
    expect(await ex.submit('inc', [1], options)).toBe(2);
    expect(reads).toBe(1);
  });

  it('a signal must be an AbortSignal, not a look-alike without listeners', async () => {
    const ex = make();
    invalid(() => ex.submit('inc', [1], { signal: { aborted: false } as never }));
    invalid(() => ex.map('inc', [1], { signal: { aborted: false } as never }));
    // map() checks its task options as submit() does.
    invalid(() => ex.map('inc', [1], { priority: Number.NaN }));
    invalid(() => ex.map('inc', [1], { timeout: -1 }));
    expect(await ex.submit('inc', [1])).toBe(2);
  });
});

describe('wait() and asCompleted() given what is not a list of promises', () => {
  const throwingThenable = {
    // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is what is tested
    then() {
      throw new Error('then throws');
    },
  };

  it('refuse a non-iterable, and an entry without a then method, with InvalidArgumentError', async () => {
    for (const bad of [null, 5, {}]) {
      invalid(() => wait(bad as never));
      await expect(asCompleted(bad as never).next()).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    for (const entry of [5, {}, revokedProxy()]) {
      expect(invalid(() => wait([Promise.resolve(1), entry] as never)).message).toMatch(/Entry 1/);
      await expect(asCompleted([entry] as never).next()).rejects.toBeInstanceOf(InvalidArgumentError);
    }
  });

  it('count a thenable whose then throws as rejected with what it threw', async () => {
    const { done, notDone } = await wait([throwingThenable, Promise.resolve(1)], { timeout: 1000 });
    expect([done.size, notDone.size]).toEqual([2, 0]);
    const seen: string[] = [];
    for await (const d of asCompleted([throwingThenable, Promise.resolve(1)])) seen.push(`${d.index}:${d.status}:${String(d.reason ?? d.value)}`);
    expect(seen.sort()).toEqual(['0:rejected:Error: then throws', '1:fulfilled:1']);
  });

  it('FIRST_EXCEPTION settles when a promise rejects with a revoked Proxy', async () => {
    const bad = Promise.reject(revokedProxy());
    bad.catch(() => {});
    const never = new Promise(() => {});
    const { done } = await wait([bad, never], { returnWhen: 'FIRST_EXCEPTION' });
    expect(done.has(bad)).toBe(true);
    const cancelled = Promise.reject(new CancelledError());
    cancelled.catch(() => {});
    const { done: all } = await wait([cancelled, bad], { returnWhen: 'FIRST_EXCEPTION' });
    expect(all.size).toBe(2);
  });
});

describe('one AbortSignal shared by many tasks', () => {
  it('carries one abort listener, whatever the number of tasks in flight, and none once they settled', async () => {
    const ex = make();
    const ac = new AbortController();
    const futures = Array.from({ length: 50 }, (_, i) => ex.submit('inc', [i], { signal: ac.signal }));
    expect(getEventListeners(ac.signal, 'abort').length).toBe(1);
    expect(await Promise.all(futures)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(getEventListeners(ac.signal, 'abort').length).toBe(0);
    const results: number[] = [];
    for await (const r of ex.map(
      'inc',
      Array.from({ length: 500 }, (_, i) => i),
      { signal: ac.signal, maxInFlight: 100 },
    )) {
      results.push(r);
      // map() listens once itself, and its chunks share one listener.
      expect(getEventListeners(ac.signal, 'abort').length).toBeLessThanOrEqual(2);
    }
    expect(results.length).toBe(500);
  });

  it('cancels every task that shares it when it aborts', async () => {
    const ex = make();
    const ac = new AbortController();
    const futures = Array.from({ length: 20 }, (_, i) => ex.submit('inc', [i], { signal: ac.signal }));
    ac.abort('stop');
    expect(futures.every((f) => f.state === 'cancelled')).toBe(true);
    expect(getEventListeners(ac.signal, 'abort').length).toBe(0);
    expect(await ex.submit('inc', [1])).toBe(2);
  });
});

describe('decodeError given a damaged or forged encoding', () => {
  it('still gives an Error with the message, never throws', () => {
    for (const damaged of [
      { name: 'E', message: 'm', errors: 5 },
      { name: 'E', message: 'm', cause: 'not an object' },
      { name: 'TimeoutError', message: 'm', props: { name: 'TimeoutError', code: 'X', __proto__: null } },
    ]) {
      const e = decodeError(damaged as never) as Error;
      expect(e).toBeInstanceOf(Error);
      expect(e.message).toBe('m');
    }
  });
});
