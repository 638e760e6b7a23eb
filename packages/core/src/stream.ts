/**
 * Caller side of streams: `executor.stream()` and the typed proxy's generator
 * tasks return a {@link TaskStream}, an async iterable over the items a
 * generator task yields in its worker. Items arrive in order, batched on the
 * wire; the worker runs ahead of the consumer by at most `highWaterMark`
 * items (the stream grants it more as items are consumed).
 * @module
 */
import { CancelledError, InvalidArgumentError } from './errors.js';
import { Future } from './future.js';

/** Default `highWaterMark` of a stream: items the worker may produce ahead of the consumer. */
export const DEFAULT_HIGH_WATER_MARK = 16;

/**
 * The items of a generator task, as the caller iterates them:
 * `for await (const item of executor.stream('primes', [1000])) ...`.
 *
 * - `break` (or `return()`) stops the generator in its worker: its `finally`
 *   blocks run; one that does not stop within `cancelGrace` has its worker replaced.
 * - An error thrown by the generator, a timeout or a worker crash ends the
 *   iteration with that error, after the items received before it.
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

/** Caller-side buffer of one stream, fed by the scheduler. Internal to the core. */
export class StreamSink {
  readonly items: unknown[] = [];
  /** The worker said the task returned an iterator (otherwise its result is the one item). */
  streaming = false;
  /** The scheduler sends `pull` credit for `n` consumed items (set when the task is created). */
  pull: (n: number) => void = noop;
  #unacked = 0;
  readonly #ackAt: number;
  #wake: (() => void) | undefined;

  constructor(readonly hwm: number) {
    this.#ackAt = Math.max(1, Math.floor(hwm / 2));
  }

  /** An item arrived. */
  push(value: unknown): void {
    this.items.push(value);
    this.notify();
  }

  /** Items arrived. */
  pushAll(values: unknown[]): void {
    for (const v of values) this.items.push(v);
    this.notify();
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
    this.pull(n);
  }
}

/** Validate the `highWaterMark` option. */
export function checkHighWaterMark(hwm: unknown): number {
  if (hwm === undefined) return DEFAULT_HIGH_WATER_MARK;
  if (typeof hwm !== 'number' || !Number.isInteger(hwm) || hwm < 1) {
    throw new InvalidArgumentError(`Stream option "highWaterMark" must be an integer >= 1; got ${String(hwm)}.`);
  }
  return hwm;
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
    const sink = this.#sink;
    if (!this.#finished && sink.items.length > 0 && !this.#future.cancelled()) {
      const value = sink.items.shift() as Y;
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
      if (sink.items.length > 0) {
        const value = sink.items.shift() as Y;
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
    this.#sink.items.length = 0;
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
    this.#sink.items.length = 0;
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
