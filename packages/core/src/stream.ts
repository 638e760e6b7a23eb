/**
 * Caller side of streams: `executor.stream()` and the typed proxy's generator
 * tasks return a {@link TaskStream}, an async iterable over the items a
 * generator task yields in its worker. Items arrive in order, batched on the
 * wire; the worker runs ahead of the consumer by at most `highWaterMark`
 * items (the stream grants it more as items are consumed).
 * @module
 */
import { textOf } from './describe.js';
import { CancelledError, InvalidArgumentError } from './errors.js';
import { Future } from './future.js';
import { now } from './timers.js';

/** Default `highWaterMark` of a stream: items the worker may produce ahead of the consumer. */
export const DEFAULT_HIGH_WATER_MARK = 16;

/**
 * The items of a generator task, as the caller iterates them:
 * `for await (const item of executor.stream('primes', [1000])) ...`.
 *
 * - `break` (or `return()`) stops the generator in its worker: its `finally`
 *   blocks run; one that does not stop within `cancelGrace` has its worker replaced.
 * - An error thrown by the generator, a timeout (`timeout` over the whole
 *   stream, `idleTimeout` between items) or a worker crash ends the iteration
 *   with that error, after the items received before it.
 * - `cancel()` (or the `signal` option) ends the iteration with `CancelledError`.
 * - A task that is not a generator yields its one result.
 */
export interface TaskStream<Y> extends AsyncIterable<Y> {
  /** Stop the stream: the generator is stopped as on `break`, and the iteration throws `CancelledError`. False if it had already ended. */
  cancel(reason?: unknown): boolean;
  /**
   * Settles when the stream has ended: fulfils after the generator returned,
   * rejects with the error that ended it (`CancelledError` after `break` or `cancel()`).
   * (Not `done`: a Future has `done()`.)
   */
  readonly finished: Promise<void>;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });
const noop = () => {};

const EMPTY: unknown[] = [];

/**
 * Caller-side buffer of one stream, fed by the scheduler. Internal to the core.
 * Batches that arrive are kept as they are (no copy) and read with an index,
 * so that an item costs no array shift or push.
 */
export class StreamSink {
  /** Batches after the one being read. */
  #later: unknown[][] = [];
  /** The batch being read, and the index of its next item. */
  #head: unknown[] = EMPTY;
  #at = 0;
  /** Items buffered. */
  size = 0;
  /** The worker said the task returned an iterator (otherwise its result is the one item). */
  streaming = false;
  /** The scheduler sends `pull` credit for `n` consumed items (set when the task is created). */
  pull: (n: number) => void = noop;
  #unacked = 0;
  readonly #ackAt: number;
  #wake: (() => void) | undefined;
  /** Items received so far. */
  received = 0;
  /** Items the generator may produce in all: the high-water mark, plus the credit granted since. */
  granted: number;
  /** When the stream last showed life (for `idleTimeout`): an item arrived, or a paused generator got credit. */
  activeAt = 0;

  /**
   * @param hwm the stream's `highWaterMark`.
   * @param idleTimeout most ms without an item while the generator may produce one; 0: no limit.
   */
  constructor(
    readonly hwm: number,
    readonly idleTimeout = 0,
  ) {
    this.#ackAt = Math.max(1, Math.floor(hwm / 2));
    this.granted = hwm;
  }

  /** The generator has used all its credit: it waits for the consumer, which is not idleness. */
  paused(): boolean {
    return this.received >= this.granted;
  }

  /** An item arrived. */
  push(value: unknown): void {
    this.pushAll([value]);
  }

  /** Items arrived (the sink keeps `values`: the caller must not reuse it). */
  pushAll(values: unknown[]): void {
    if (values.length === 0) return;
    this.received += values.length;
    if (this.idleTimeout > 0) this.activeAt = now();
    // A batch becomes the head only when nothing is left to read: the head is used up and no
    // batch waits behind it (otherwise it would overtake those batches).
    if (this.#at >= this.#head.length && this.#later.length === 0) {
      this.#head = values;
      this.#at = 0;
    } else this.#later.push(values);
    this.size += values.length;
    this.notify();
  }

  /** Take the next item; only when `size > 0`. */
  take(): unknown {
    let head = this.#head;
    if (this.#at >= head.length) {
      head = this.#head = this.#later.shift() as unknown[];
      this.#at = 0;
    }
    const value = head[this.#at];
    head[this.#at++] = undefined;
    this.size--;
    return value;
  }

  /** Drop what is buffered. */
  clear(): void {
    this.#later = [];
    this.#head = EMPTY;
    this.#at = 0;
    this.size = 0;
  }

  /** Wake a waiting consumer (item, end, error). */
  notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Resolves at the next `notify()`. */
  wait(): Promise<void> {
    return new Promise((r) => {
      const prev = this.#wake;
      this.#wake = prev
        ? () => {
            prev();
            r();
          }
        : r;
    });
  }

  /** The consumer took an item: grant the worker credit, in batches of half the high-water mark. */
  consumed(): void {
    if (++this.#unacked < this.#ackAt) return;
    const n = this.#unacked;
    this.#unacked = 0;
    // A generator paused for want of credit starts its idle clock afresh when it gets some.
    if (this.idleTimeout > 0 && this.paused()) this.activeAt = now();
    this.granted += n;
    this.pull(n);
  }
}

/** Validate the `highWaterMark` option. */
export function checkHighWaterMark(hwm: unknown): number {
  if (hwm === undefined) return DEFAULT_HIGH_WATER_MARK;
  if (typeof hwm !== 'number' || !Number.isInteger(hwm) || hwm < 1) {
    throw new InvalidArgumentError(`Stream option "highWaterMark" must be an integer >= 1; got ${textOf(hwm)}.`);
  }
  return hwm;
}

/** Validate the `idleTimeout` option of a stream; 0 when there is none. */
export function checkIdleTimeout(ms: unknown): number {
  if (ms === undefined) return 0;
  if (typeof ms !== 'number' || ms < 0 || !(Number.isInteger(ms) || ms === Number.POSITIVE_INFINITY)) {
    throw new InvalidArgumentError(`Stream option "idleTimeout" must be an integer >= 0 (ms; 0 or Infinity: no limit); got ${textOf(ms)}.`);
  }
  return ms === Number.POSITIVE_INFINITY ? 0 : ms;
}

/** Whether a stream's task turned out to be a generator (core-internal; see backend.ts). @internal */
export let streamingOf: (stream: StreamIterator<unknown>) => boolean;

/** The iterator behind a {@link TaskStream}; one per stream. */
export class StreamIterator<Y> implements AsyncIterableIterator<Y>, TaskStream<Y> {
  readonly #future: Future<unknown>;
  readonly #sink: StreamSink;

  static {
    streamingOf = (stream) => stream.#sink.streaming;
  }
  #outcome: { ok: true; value: unknown } | { ok: false; error: unknown } | undefined;
  #finished = false;

  constructor(future: Future<unknown>, sink: StreamSink) {
    this.#future = future;
    this.#sink = sink;
    future.then(
      (value) => {
        this.#outcome = { ok: true, value };
        sink.notify();
      },
      (error) => {
        this.#outcome = { ok: false, error };
        sink.notify();
      },
    );
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Y>> {
    // Fast path: an item already here is handed out without an async function's machinery.
    // (The buffer is emptied when the stream ends or is cancelled: see #end, #stop and the scheduler's cancel.)
    const sink = this.#sink;
    if (sink.size > 0) {
      const value = sink.take() as Y;
      if (!this.#outcome) sink.consumed();
      return Promise.resolve({ value, done: false });
    }
    return this.#next();
  }

  async #next(): Promise<IteratorResult<Y>> {
    const sink = this.#sink;
    for (;;) {
      if (this.#finished) return DONE;
      const outcome = this.#outcome;
      if (this.#future.cancelled()) {
        if (outcome && !outcome.ok) return this.#end(outcome.error);
        // Cancelled a moment ago: the outcome arrives with the Future's handlers.
        await this.#future.then(noop, noop);
        continue;
      }
      if (sink.size > 0) {
        const value = sink.take() as Y;
        if (!outcome) sink.consumed();
        return { value, done: false };
      }
      if (outcome) {
        if (!outcome.ok) return this.#end(outcome.error);
        this.#finished = true;
        // A plain task (not a generator) yields its one result.
        if (!sink.streaming) return { value: outcome.value as Y, done: false };
        return DONE;
      }
      await sink.wait();
    }
  }

  #end(error: unknown): never {
    this.#finished = true;
    this.#sink.clear();
    throw error;
  }

  /** Stop early (`break`): stops the generator in its worker. */
  return(): Promise<IteratorResult<Y>> {
    this.#stop();
    return Promise.resolve(DONE);
  }

  /** Stop with an error. */
  throw(error?: unknown): Promise<IteratorResult<Y>> {
    this.#stop();
    return Promise.reject(error);
  }

  #stop(): void {
    this.#finished = true;
    this.#sink.clear();
    this.#future.cancel(new CancelledError('The stream was closed by its consumer.'));
  }

  cancel(reason?: unknown): boolean {
    return this.#future.cancel(reason);
  }

  get finished(): Promise<void> {
    return this.#future.then(noop);
  }
}

/** Give a StreamingFuture its sink (core-internal). @internal */
export let attachSink: (future: StreamingFuture<unknown>, sink: StreamSink) => void;

/**
 * What the typed proxy returns: a Future (of the task's result; of `undefined`
 * for a generator task) that can also be iterated as a {@link TaskStream}.
 */
export class StreamingFuture<T> extends Future<T> implements TaskStream<unknown> {
  #iterator: StreamIterator<unknown> | undefined;
  /** Where the executor delivers its items; private, so nothing outside the core can feed it. */
  #sink: StreamSink | undefined;

  static {
    attachSink = (f, sink) => {
      f.#sink = sink;
    };
  }

  [Symbol.asyncIterator](): StreamIterator<unknown> {
    this.#iterator ??= new StreamIterator(this as unknown as Future<unknown>, this.#sink as StreamSink);
    return this.#iterator;
  }

  get finished(): Promise<void> {
    return this.then(noop);
  }
}

/** A new pending Future of a task: a {@link StreamingFuture} fed by `sink` when there is one (core-internal). @internal */
export function newTaskFuture(sink?: StreamSink): Future<unknown> {
  if (!sink) return new Future<unknown>();
  const future = new StreamingFuture<unknown>();
  attachSink(future, sink);
  return future;
}
