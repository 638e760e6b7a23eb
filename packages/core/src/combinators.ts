/**
 * asCompleted and wait: Python's concurrent.futures helpers for a set of
 * Futures (or any Promises).
 * @module
 */
import { InvalidArgumentError, TimeoutError } from './errors.js';

/** When `wait()` returns. */
export type ReturnWhen = 'FIRST_COMPLETED' | 'FIRST_EXCEPTION' | 'ALL_COMPLETED';

/** Result of `wait()`: the settled and the still pending futures. */
export interface WaitResult<P> {
  done: Set<P>;
  notDone: Set<P>;
}

function checkTimeout(timeout: number | undefined): void {
  if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)) {
    throw new InvalidArgumentError(`"timeout" must be a number of milliseconds >= 0; got ${String(timeout)}.`);
  }
}

/** Track settlement of each promise; `onSettle` is called once per promise. */
function track<P extends PromiseLike<unknown>>(promises: Iterable<P>, onSettle: (p: P, ok: boolean) => void): P[] {
  const list = [...promises];
  for (const p of new Set(list)) {
    p.then(
      () => onSettle(p, true),
      () => onSettle(p, false),
    );
  }
  return list;
}

/** One settled future, as yielded by `asCompleted()`. */
export type Completed<P> = {
  /** The future (or promise) that settled. */
  future: P;
  /** Its position in the iterable given to `asCompleted()`: use it to find the input. */
  index: number;
} & ({ status: 'fulfilled'; value: Awaited<P>; reason?: undefined } | { status: 'rejected'; reason: unknown; value?: undefined });

/**
 * Yield each future as it settles, in completion order, with its index in the
 * input and its outcome: `{ index, future, status, value | reason }`. A task's
 * error does not end the iteration; it arrives as `status: 'rejected'`. With
 * `timeout` (ms from the call), the iteration throws `TimeoutError` if futures
 * are still pending then; they keep running.
 *
 * (A JavaScript async generator cannot yield a Promise itself, so the future is
 * wrapped; `await done.future` gives the result or throws, as in Python.)
 */
export async function* asCompleted<P extends PromiseLike<unknown>>(
  futures: Iterable<P>,
  options: { timeout?: number } = {},
): AsyncGenerator<Completed<P>, void, undefined> {
  checkTimeout(options.timeout);
  const list = [...futures];
  const settled: Completed<P>[] = [];
  let wake: (() => void) | undefined;
  list.forEach((future, index) => {
    future.then(
      (value) => {
        settled.push({ future, index, status: 'fulfilled', value: value as Awaited<P> });
        wake?.();
      },
      (reason) => {
        settled.push({ future, index, status: 'rejected', reason });
        wake?.();
      },
    );
  });
  let remaining = list.length;
  const deadline = options.timeout === undefined ? undefined : performance.now() + options.timeout;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    while (remaining > 0) {
      if (settled.length === 0) {
        const left = deadline === undefined ? undefined : deadline - performance.now();
        if (left !== undefined && left <= 0) {
          throw new TimeoutError(options.timeout ?? 0, `${remaining} of ${list.length} futures were still pending after ${options.timeout} ms.`);
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
 */
export function wait<P extends PromiseLike<unknown>>(
  futures: Iterable<P>,
  options: { returnWhen?: ReturnWhen; timeout?: number } = {},
): Promise<WaitResult<P>> {
  const returnWhen = options.returnWhen ?? 'ALL_COMPLETED';
  if (returnWhen !== 'FIRST_COMPLETED' && returnWhen !== 'FIRST_EXCEPTION' && returnWhen !== 'ALL_COMPLETED') {
    throw new InvalidArgumentError(`"returnWhen" must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED; got ${String(returnWhen)}.`);
  }
  checkTimeout(options.timeout);
  return new Promise((resolve) => {
    const done = new Set<P>();
    const notDone = new Set<P>();
    let finished = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      resolve({ done: new Set(done), notDone: new Set(notDone) });
    };
    const list = track(futures, (p, ok) => {
      if (finished) return;
      notDone.delete(p);
      done.add(p);
      if (returnWhen === 'FIRST_COMPLETED' || (returnWhen === 'FIRST_EXCEPTION' && !ok) || notDone.size === 0) finish();
    });
    for (const p of list) notDone.add(p);
    if (notDone.size === 0) return finish();
    if (options.timeout !== undefined) timer = setTimeout(finish, options.timeout);
  });
}
