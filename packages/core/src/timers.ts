/**
 * Timers as the scheduler uses them. Every runtime's setTimeout fires at once
 * for delays above 2**31-1 ms (Node also warns); such a delay means "not within
 * any realistic run", so no timer is set at all.
 * @module
 */

/** The longest delay setTimeout honours (about 24.8 days). */
export const MAX_DELAY = 2 ** 31 - 1;

/** A timer handle, or undefined when none was needed. */
export type Timer = ReturnType<typeof setTimeout> | undefined;

/** Run `fn` after `ms`; no timer when `ms` is above {@link MAX_DELAY} or infinite. With `unref`, it does not keep the process alive. */
export function after(ms: number, fn: () => void, unref = false): Timer {
  if (!(ms <= MAX_DELAY)) return undefined;
  const t = setTimeout(fn, ms);
  if (unref) (t as { unref?: () => void }).unref?.();
  return t;
}

/** Clear a timer if there is one. */
export function cancelTimer(t: Timer): undefined {
  if (t !== undefined) clearTimeout(t);
  return undefined;
}

const perf = globalThis.performance;
/** Monotonic milliseconds. */
export const now = (): number => perf.now();
