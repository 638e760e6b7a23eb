/**
 * Worker side of streams: the pump that drives a generator task under the
 * credit the executor grants (backpressure), and stops it on cancel.
 *
 * The pump calls `next()` only while it has credit, so a generator never runs
 * ahead of its consumer by more than the stream's high-water mark: the
 * executor starts a stream with `hwm` credits and grants more with `pull`
 * messages as the caller consumes items. Cancelling (the caller broke out of
 * its loop, aborted its signal, or the timeout expired) calls the
 * generator's `return()`, so its `finally` blocks run.
 * @module
 */
import { kindOf, messageOf, readSafely } from './describe.js';
import { SerializationError } from './errors.js';

/** A sync or async iterator, as a generator function returns it. */
type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

/** Is `value` an iterator a stream can pump (a generator object, not an array or a string)? */
export function isIterator(value: unknown): value is AnyIterator {
  if (value === null || typeof value !== 'object') return false;
  // A value that cannot be read (a revoked Proxy) is no iterator: it fails as a result that cannot be sent.
  return (
    typeof readSafely(value, 'next') === 'function' &&
    (typeof readSafely(value, Symbol.asyncIterator) === 'function' || typeof readSafely(value, Symbol.iterator) === 'function')
  );
}

/** The error that ends a stream whose item (one of `values`) cannot be cloned. */
export function itemFailure(taskName: string, values: unknown[], cause: unknown): SerializationError {
  const bad = values.find((v) => {
    try {
      structuredClone(v);
      return false;
    } catch {
      return true;
    }
  });
  const what = typeof bad === 'function' ? 'a function' : kindOf(bad);
  const detail = messageOf(cause);
  return new SerializationError(
    `An item yielded by task "${taskName}" cannot be sent to the caller (${what}): ${detail} Yield plain data (structured-cloneable values).`,
    { cause },
  );
}

const perf = globalThis.performance;
/** A synchronous generator step at least this long (ms) sends its item at once. */
const SLOW_STEP_MS = 1;
/**
 * Most quick synchronous steps between two readings of the clock. Reading it
 * (`performance.now()`, 50-150 ns) costs several times a quick step (10-20 ns):
 * read at every step, it made the worker, not the wire, the limit of a
 * stream of small items.
 */
export const MAX_CLOCK_STRIDE = 32;
/** Steps that took less than this (ms) in all since the last reading are quick: read the clock half as often. */
const QUICK_SPAN_MS = SLOW_STEP_MS / 32;

const isThenable = (v: unknown): v is PromiseLike<unknown> => v !== null && typeof v === 'object' && typeof readSafely(v, 'then') === 'function';

/** Close an iterator, ignoring what its `return()` says (its `finally` blocks run). */
export function closeIterator(it: AnyIterator): Promise<void> | undefined {
  try {
    const r = it.return?.();
    if (isThenable(r))
      return Promise.resolve(r).then(
        () => {},
        () => {},
      );
  } catch {}
  return undefined;
}

/** Drives one generator task; see the module comment. */
export class StreamPump {
  #credit: number;
  #stopped: { reason: unknown } | undefined;
  /** Settles once the stopped generator's `return()` has run its `finally` blocks. */
  #closed: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** Resolves (undefined) when the generator finished, rejects with its error or the stop reason. */
  readonly finished: Promise<undefined>;

  /**
   * @param emit sends one item (maybe wrapped by `transfer()`); the worker batches them.
   *   `flushNow` asks for the item to leave at once rather than with the batch.
   * @param hwm the credit the stream starts with.
   */
  constructor(
    readonly id: number,
    readonly iterator: AnyIterator,
    hwm: number,
    readonly emit: (value: unknown, flushNow: boolean) => void,
  ) {
    this.#credit = hwm;
    this.finished = this.#run();
  }

  /** The caller consumed `n` more items. */
  pull(n: number): void {
    this.#credit += n;
    this.#wakeUp();
  }

  /** Stop the generator (cancel, timeout): its `return()` runs at its next pause. */
  stop(reason: unknown): void {
    if (this.#stopped) return;
    this.#stopped = { reason };
    // An async generator queues return() behind the step it is running; a sync one is between steps.
    this.#closed = closeIterator(this.iterator);
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /**
   * A stopped stream ends once its generator's `finally` blocks have run (an
   * async generator runs them after the step it was in), so the task, and its
   * slot on the worker, ends after them, never beside the next task.
   */
  async #end(): Promise<never> {
    await this.#closed;
    throw (this.#stopped as { reason: unknown }).reason;
  }

  async #run(): Promise<undefined> {
    const it = this.iterator;
    let first = true;
    /** When items last left (or the pump last waited): items of quick steps go out together once per SLOW_STEP_MS. */
    let sent = perf.now();
    // The clock is read every `stride` synchronous steps: every step at first and after a slow span,
    // twice as seldom after each span of quick steps (up to MAX_CLOCK_STRIDE). A generator whose
    // steps turn slow after a run of quick ones sends within MAX_CLOCK_STRIDE steps, then at every step.
    let stride = 1;
    let left = 1;
    let readAt = sent;
    for (;;) {
      if (this.#stopped) return this.#end();
      if (this.#credit <= 0) {
        await new Promise<void>((r) => {
          this.#wake = r;
        });
        // The batch left while the pump waited for credit (the outbox flushes at the end of a tick).
        sent = readAt = perf.now();
        continue;
      }
      let r = it.next() as IteratorResult<unknown> | PromiseLike<IteratorResult<unknown>>;
      // Items of a sync generator are batched while its steps are quick. The first item leaves at
      // once; so does the item of a slow step, with those that waited through it, and a batch that
      // has been filling for SLOW_STEP_MS (a long run of quick steps is not held back until the
      // credit runs out).
      let flushNow = first;
      if (isThenable(r)) {
        // An async step: the outbox flushes at the end of the tick, while the pump awaits.
        r = await r;
        sent = readAt = perf.now();
        flushNow = false;
      } else if (--left === 0) {
        const t = perf.now();
        if (t - sent >= SLOW_STEP_MS) {
          flushNow = true;
          sent = t;
        }
        if (t - readAt < QUICK_SPAN_MS) {
          if (stride < MAX_CLOCK_STRIDE) stride *= 2;
        } else stride = 1;
        readAt = t;
        left = stride;
      }
      if (this.#stopped as { reason: unknown } | undefined) return this.#end();
      if (r.done) return undefined;
      this.#credit--;
      if (first) {
        first = false;
        sent = perf.now();
      }
      this.emit(r.value, flushNow);
    }
  }
}
