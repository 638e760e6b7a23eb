import { describe, expect, it } from 'vitest';
import { asCompleted, type Completed, wait } from '../src/combinators.js';
import { CancelledError, TimeoutError } from '../src/errors.js';
import { Future } from '../src/future.js';

/** A promise settled from outside. */
function deferred<T = unknown>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

/** Let every pending microtask and reaction run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const rejected = (e: unknown) => {
  const p = Promise.reject(e);
  p.catch(() => {});
  return p;
};

async function collect<P extends PromiseLike<unknown>>(it: AsyncIterable<Completed<P>>) {
  const got: string[] = [];
  try {
    for await (const d of it) got.push(`${d.index}:${d.status}`);
  } catch (e) {
    return { got, error: e };
  }
  return { got, error: undefined };
}

describe('asCompleted (plain promises)', () => {
  it('yields a promise listed more than once only once, with the index of its first occurrence', async () => {
    const a = Promise.resolve('a');
    const b = deferred();
    setTimeout(() => b.resolve('b'), 5);
    expect(await collect(asCompleted([a, b.promise, a, b.promise, a]))).toEqual({ got: ['0:fulfilled', '1:fulfilled'], error: undefined });
  });

  it('with timeout 0, yields what had already settled (in input order), then throws TimeoutError', async () => {
    const never = deferred();
    const { got, error } = await collect(asCompleted([never.promise, Promise.resolve(1), rejected(new Error('x'))], { timeout: 0 }));
    expect(got).toEqual(['1:fulfilled', '2:rejected']);
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('with timeout 0 and everything settled, ends without an error', async () => {
    expect(await collect(asCompleted([Promise.resolve(1), rejected(new Error('x'))], { timeout: 0 }))).toEqual({
      got: ['0:fulfilled', '1:rejected'],
      error: undefined,
    });
  });

  it('counts as already settled what settled before the iteration started, not what settles later', async () => {
    const late = deferred();
    const it = asCompleted([late.promise, Promise.resolve(1)], { timeout: 0 });
    const first = await it.next();
    late.resolve(2); // after the iteration's first turn: too late for timeout 0
    expect(first.value?.index).toBe(1);
    await expect(it.next()).rejects.toBeInstanceOf(TimeoutError);
  });

  it('yields already-settled futures before ones that settle while it waits', async () => {
    const later = deferred();
    const done = new Future<never>(() => {});
    done.cancel();
    const it = asCompleted([later.promise, done]);
    const first = await it.next();
    later.resolve('x');
    const second = await it.next();
    expect([first.value?.index, first.value?.status, second.value?.index]).toEqual([1, 'rejected', 0]);
    expect((await it.next()).done).toBe(true);
  });
});

describe('wait (plain promises)', () => {
  it('FIRST_COMPLETED puts every already-settled promise in done, not only the first listed', async () => {
    const never = deferred();
    const ok = Promise.resolve(1);
    const bad = rejected(new Error('x'));
    const { done, notDone } = await wait([never.promise, ok, bad], { returnWhen: 'FIRST_COMPLETED' });
    expect([...done]).toEqual([ok, bad]);
    expect([...notDone]).toEqual([never.promise]);
  });

  it('FIRST_COMPLETED on pending promises returns when one settles', async () => {
    const a = deferred();
    const b = deferred();
    const result = wait([a.promise, b.promise], { returnWhen: 'FIRST_COMPLETED' });
    b.resolve(2);
    const { done, notDone } = await result;
    expect([[...done], [...notDone]]).toEqual([[b.promise], [a.promise]]);
  });

  it('FIRST_EXCEPTION does not treat a CancelledError rejection as an exception', async () => {
    const cancelled = rejected(new CancelledError());
    const slow = deferred();
    let result: Awaited<ReturnType<typeof wait>> | undefined;
    const waiting = wait([cancelled, slow.promise], { returnWhen: 'FIRST_EXCEPTION' }).then((r) => {
      result = r;
    });
    await settle();
    expect(result).toBeUndefined();
    slow.resolve(1);
    await waiting;
    expect(result?.done.size).toBe(2);
    expect(result?.notDone.size).toBe(0);
  });

  it('FIRST_EXCEPTION does not treat a cancelled Future as an exception', async () => {
    const cancelled = new Future<number>(() => {});
    cancelled.cancel();
    const slow = deferred<number>();
    let result: Awaited<ReturnType<typeof wait>> | undefined;
    const waiting = wait([cancelled, slow.promise], { returnWhen: 'FIRST_EXCEPTION' }).then((r) => {
      result = r;
    });
    await settle();
    expect(result).toBeUndefined();
    slow.resolve(1);
    await waiting;
    expect(result?.notDone.size).toBe(0);
  });

  it('FIRST_EXCEPTION returns at an exception that follows a cancellation, with every settled one in done', async () => {
    const cancelled = rejected(new CancelledError());
    const ok = Promise.resolve(1);
    const bad = deferred();
    const never = deferred();
    const result = wait([cancelled, ok, bad.promise, never.promise], { returnWhen: 'FIRST_EXCEPTION' });
    bad.reject(new RangeError('x'));
    const { done, notDone } = await result;
    expect([...done]).toEqual([cancelled, ok, bad.promise]);
    expect([...notDone]).toEqual([never.promise]);
  });

  it('FIRST_EXCEPTION with an error that had already happened returns with everything already settled', async () => {
    const ok = Promise.resolve(1);
    const bad = rejected(new Error('x'));
    const never = deferred();
    const { done, notDone } = await wait([bad, never.promise, ok], { returnWhen: 'FIRST_EXCEPTION' });
    expect([...done]).toEqual([bad, ok]);
    expect([...notDone]).toEqual([never.promise]);
  });
});
