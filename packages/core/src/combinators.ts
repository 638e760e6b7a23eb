/**
 * asCompleted and wait: Python's concurrent.futures helpers for a set of
 * Futures (or any Promises).
 * @module
 */
import { isInstance, kindOf, readSafely, textOf } from './describe.js';
import { CancelledError, InvalidArgumentError, TimeoutError } from './errors.js';

/** When `wait()` returns. */
export type ReturnWhen = 'FIRST_COMPLETED' | 'FIRST_EXCEPTION' | 'ALL_COMPLETED';

/** Result of `wait()`: the settled and the still pending futures. */
export interface WaitResult<P> {
  done: Set<P>;
  notDone: Set<P>;
}

function checkTimeout(timeout: number | undefined): void {
  if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)) {
    throw new InvalidArgumentError(`"timeout" must be a number of milliseconds >= 0; got ${textOf(timeout)}.`);
  }
}

/**
 * Each distinct future once, with the index of its first occurrence, in list order.
 * @throws {InvalidArgumentError} when `futures` is not iterable or holds something that is not a promise
 */
function distinct<P>(futures: Iterable<P>): Map<P, number> {
  if (futures === null || typeof (futures as Partial<Iterable<P>> | undefined)?.[Symbol.iterator] !== 'function') {
    throw new InvalidArgumentError(`The futures must be an iterable (an array, a Set...) of Futures or promises; got ${kindOf(futures)}.`);
  }
  const first = new Map<P, number>();
  let index = 0;
  for (const p of futures) {
    if (typeof readSafely(p, 'then') !== 'function') {
      throw new InvalidArgumentError(`Entry ${index} of the futures is not a Future or a promise (it has no then method): ${kindOf(p)}.`);
    }
    if (!first.has(p)) first.set(p, index);
    index++;
  }
  return first;
}

/**
 * Call back once `p` settles. A foreign thenable whose `then` throws counts as
 * rejected with what it threw, as `await` would have it.
 */
function subscribe<P extends PromiseLike<unknown>>(p: P, onValue: (value: unknown) => void, onReason: (reason: unknown) => void): void {
  let called = false;
  const once =
    <A>(fn: (a: A) => void) =>
    (a: A) => {
      if (called) return;
      called = true;
      fn(a);
    };
  try {
    p.then(once(onValue), once(onReason));
  } catch (error) {
    once(onReason)(error);
  }
}

/**
 * One microtask turn after subscribing to settled promises: a native Promise
 * (a Future included) that had settled queued its reaction when it was
 * subscribed to, so every such reaction has run once this resolves. That is
 * how "already settled" is told for a plain Promise, which has no synchronous
 * state. (A foreign thenable counts as settled if it calls back by then.)
 */
const afterSettledReactions = (): Promise<void> => Promise.resolve();

/**
 * Python's exception test: a future that failed, and was not cancelled. A
 * Future answers through `cancelled()`; a plain promise rejected with a
 * {@link CancelledError} (or an error with its code) counts as cancelled.
 */
function isException(p: PromiseLike<unknown>, reason: unknown): boolean {
  const cancelled = readSafely(p, 'cancelled');
  if (typeof cancelled === 'function') {
    try {
      return !cancelled.call(p);
    } catch {
      return true;
    }
  }
  return !(isInstance(reason, CancelledError) || readSafely(reason, 'code') === 'ERR_OFFLOAD_CANCELLED');
}

/** One settled future, as yielded by `asCompleted()`. */
export type Completed<P> = {
  /** The future (or promise) that settled. */
  future: P;
  /** Its position in the iterable given to `asCompleted()`: use it to find the input. */
  index: number;
} & ({ status: 'fulfilled'; value: Awaited<P>; reason?: undefined } | { status: 'rejected'; reason: unknown; value?: undefined });

/**
 * Yield each future as it settles, with its index in the input and its
 * outcome: `{ index, future, status, value | reason }`. Futures that had
 * already settled when the iteration starts come first (in input order), then
 * the others in completion order. A future listed more than once is yielded
 * once, with the index of its first occurrence. A task's error does not end
 * the iteration; it arrives as `status: 'rejected'`. With `timeout` (ms from
 * the start of the iteration), the iteration throws `TimeoutError` once it
 * would have to wait past it; what had settled is yielded first, so
 * `timeout: 0` yields the already-settled futures and then throws if any are
 * pending. Pending futures keep running.
 *
 * "Already settled" means `done()` for a Future and, for a plain Promise,
 * settled before the iteration's first microtask turn (a Promise has no
 * synchronous state).
 *
 * (A JavaScript async generator cannot yield a Promise itself, so the future is
 * wrapped; `await done.future` gives the result or throws, as in Python.)
 */
export async function* asCompleted<P extends PromiseLike<unknown>>(
  futures: Iterable<P>,
  options: { timeout?: number } = {},
): AsyncGenerator<Completed<P>, void, undefined> {
  checkTimeout(options.timeout);
  const deadline = options.timeout === undefined ? undefined : performance.now() + options.timeout;
  const inputs = distinct(futures);
  const settled: Completed<P>[] = [];
  let wake: (() => void) | undefined;
  for (const [future, index] of inputs) {
    subscribe(
      future,
      (value) => {
        settled.push({ future, index, status: 'fulfilled', value: value as Awaited<P> });
        wake?.();
      },
      (reason) => {
        settled.push({ future, index, status: 'rejected', reason });
        wake?.();
      },
    );
  }
  await afterSettledReactions();
  let remaining = inputs.size;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    while (remaining > 0) {
      if (settled.length === 0) {
        const left = deadline === undefined ? undefined : deadline - performance.now();
        if (left !== undefined && left <= 0) {
          throw new TimeoutError(options.timeout ?? 0, `${remaining} of ${inputs.size} futures were still pending after ${options.timeout} ms.`);
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (left !== undefined) timer = setTimeout(resolve, left);
        });
        wake = undefined;
        if (timer) clearTimeout(timer);
        continue;
      }
      remaining--;
      yield settled.shift() as Completed<P>;
    }
  } finally {
    wake = undefined;
    if (timer) clearTimeout(timer);
  }
}

/**
 * Wait until the futures reach `returnWhen` (default `ALL_COMPLETED`) or
 * `timeout` ms pass, then return which are done and which are not. Never
 * throws for a future's error: inspect the futures in `done`.
 *
 * As in Python, `done` holds every future that had settled by then: with
 * `FIRST_COMPLETED`, all the already-settled ones, not only the first listed.
 * `FIRST_EXCEPTION` returns when a future fails with an error; a cancelled
 * future is not an error (a Future's `cancelled()`, or a plain promise
 * rejected with `CancelledError`), so without one it waits for all, like
 * `ALL_COMPLETED`. "Already settled" for a plain Promise means settled before
 * `wait`'s first microtask turn. A future listed twice is counted once.
 */
export function wait<P extends PromiseLike<unknown>>(
  futures: Iterable<P>,
  options: { returnWhen?: ReturnWhen; timeout?: number } = {},
): Promise<WaitResult<P>> {
  const returnWhen = options.returnWhen ?? 'ALL_COMPLETED';
  if (returnWhen !== 'FIRST_COMPLETED' && returnWhen !== 'FIRST_EXCEPTION' && returnWhen !== 'ALL_COMPLETED') {
    throw new InvalidArgumentError(`"returnWhen" must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED; got ${textOf(returnWhen)}.`);
  }
  checkTimeout(options.timeout);
  const inputs = distinct(futures);
  return new Promise((resolve) => {
    const notDone = new Set(inputs.keys());
    const done = new Set<P>();
    let failed = false;
    let started = false;
    let finished = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      resolve({ done: new Set(done), notDone: new Set(notDone) });
    };
    const check = () => {
      if (notDone.size === 0 || (returnWhen === 'FIRST_COMPLETED' && done.size > 0) || (returnWhen === 'FIRST_EXCEPTION' && failed)) finish();
    };
    const settle = (p: P, error: boolean, reason?: unknown) => {
      if (finished) return;
      notDone.delete(p);
      done.add(p);
      if (error && isException(p, reason)) failed = true;
      // Until the first turn has passed, only collect: every already-settled future goes in `done`.
      if (started) check();
    };
    if (notDone.size === 0) return finish();
    for (const p of [...notDone]) {
      subscribe(
        p,
        () => settle(p, false),
        (reason) => settle(p, true, reason),
      );
    }
    if (options.timeout !== undefined) timer = setTimeout(finish, options.timeout);
    void afterSettledReactions().then(() => {
      started = true;
      check();
    });
  });
}
