/**
 * executor.map(): lazy, bounded, ordered or unordered application of a task
 * over an iterable, with chunking. A hand-written async iterator rather than an
 * async generator: results already received are handed out without a
 * generator resumption each, which is most of the cost of a chunked map.
 * @module
 */
import { textOf } from './describe.js';
import { CancelledError, InvalidArgumentError } from './errors.js';
import type { Future } from './future.js';
import type { MapOptions, TaskOptions } from './options.js';
import { type ChunkResult, decodeError } from './protocol.js';

/** What `map()` needs of an executor: submit a chunk of inputs (one task over all of them) or, with `single`, one input as a plain task. */
export type ChunkSubmitter = (inputs: unknown[], options: TaskOptions, single: boolean) => Future<unknown>;

const noop = () => {};
const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

type Pull = () => Promise<IteratorResult<unknown>> | IteratorResult<unknown>;

function puller(inputs: Iterable<unknown> | AsyncIterable<unknown>): { pull: Pull; sync: boolean; close: () => void } {
  if (inputs && typeof (inputs as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const it = (inputs as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    return { pull: () => it.next(), sync: false, close: () => void it.return?.()?.catch?.(noop) };
  }
  if (inputs && typeof (inputs as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const it = (inputs as Iterable<unknown>)[Symbol.iterator]();
    return { pull: () => it.next(), sync: true, close: () => void it.return?.() };
  }
  throw new InvalidArgumentError('map() inputs must be an iterable or an async iterable (an array, a generator, a stream...).');
}

/**
 * The iterator returned by `executor.map()`. Use it with `for await`;
 * `break` (or `return()`) cancels the tasks still outstanding.
 */
export class MapIterator<R> implements AsyncIterableIterator<R> {
  readonly #submit: (chunk: unknown[]) => Future<unknown>;
  readonly #pull: Pull;
  readonly #sync: boolean;
  readonly #close: () => void;
  readonly #chunkSize: number;
  readonly #single: boolean;
  readonly #ordered: boolean;
  readonly #maxInFlight: number;
  readonly #refillAt: number;
  readonly #signal: AbortSignal | undefined;
  /** Submitted and not yet consumed. */
  readonly #outstanding = new Set<Future<unknown>>();
  /** In submission order (ordered mode). */
  readonly #fifo: Future<unknown>[] = [];
  /** In completion order (unordered mode). */
  readonly #completed: Future<unknown>[] = [];
  #wake: (() => void) | undefined;
  #exhausted = false;
  #finished = false;
  #buffer: unknown[] = [];
  #index = 0;
  #error: { error: unknown } | undefined;
  #busy: Promise<IteratorResult<R>> | undefined;

  constructor(submit: ChunkSubmitter, inputs: Iterable<unknown> | AsyncIterable<unknown>, options: MapOptions, slots: number) {
    const chunkSize = options.chunkSize ?? 1;
    if (!Number.isInteger(chunkSize) || chunkSize < 1)
      throw new InvalidArgumentError(`map() option "chunkSize" must be an integer >= 1; got ${textOf(chunkSize)}.`);
    const single = chunkSize === 1;
    // One input per task is cheap to have many of in flight (short tasks are sent ahead to workers).
    const maxInFlight = options.maxInFlight ?? Math.max(single ? 64 : 2, slots * 2);
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new InvalidArgumentError(`map() option "maxInFlight" must be an integer >= 1; got ${textOf(maxInFlight)}.`);
    }
    const { pull, sync, close } = puller(inputs);
    const taskOptions: TaskOptions = { timeout: options.timeout, priority: options.priority, signal: options.signal, onProgress: options.onProgress };
    this.#submit = (chunk) => submit(chunk, taskOptions, single);
    this.#pull = pull;
    this.#sync = sync;
    this.#close = close;
    this.#chunkSize = chunkSize;
    this.#single = single;
    this.#ordered = options.ordered ?? true;
    this.#maxInFlight = maxInFlight;
    // Refill in batches (at half the in-flight bound) so that submissions share messages.
    this.#refillAt = Math.max(1, Math.floor(maxInFlight / 2));
    this.#signal = options.signal;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next result: at once when it has already arrived with its chunk. */
  next(): Promise<IteratorResult<R>> {
    if (this.#busy) return this.#busy.then(() => this.next());
    if (this.#index < this.#buffer.length) return Promise.resolve({ value: this.#buffer[this.#index++] as R, done: false });
    const p = this.#advance();
    this.#busy = p;
    const clear = () => {
      if (this.#busy === p) this.#busy = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  /** Stop: cancel what is outstanding. Called by `break` in `for await`. */
  return(): Promise<IteratorResult<R>> {
    this.#cleanup();
    return Promise.resolve(DONE);
  }

  /** Stop with an error: cancel what is outstanding. */
  throw(error?: unknown): Promise<IteratorResult<R>> {
    this.#cleanup();
    return Promise.reject(error);
  }

  async #advance(): Promise<IteratorResult<R>> {
    try {
      for (;;) {
        if (this.#error) throw this.#error.error;
        if (this.#finished) return DONE;
        if (this.#outstanding.size <= this.#refillAt) await this.#fill();
        if (!this.#ordered) await this.#someCompleted();
        const next = this.#ordered ? this.#fifo.shift() : this.#completed.shift();
        if (!next) {
          this.#cleanup();
          return DONE;
        }
        const result = await next;
        this.#outstanding.delete(next);
        if (this.#single) return { value: result as R, done: false };
        const [values, errorIndex, error] = result as ChunkResult;
        this.#buffer = values;
        this.#index = 0;
        if (errorIndex !== undefined && error) this.#error = { error: decodeError(error) };
        if (values.length > 0) return { value: values[this.#index++] as R, done: false };
      }
    } catch (error) {
      this.#cleanup();
      throw error;
    }
  }

  async #fill(): Promise<void> {
    while (!this.#exhausted && !this.#finished && this.#outstanding.size < this.#maxInFlight) {
      const chunk: unknown[] = [];
      while (chunk.length < this.#chunkSize) {
        const r = (this.#sync ? this.#pull() : await this.#pull()) as IteratorResult<unknown>;
        if (r.done) {
          this.#exhausted = true;
          break;
        }
        chunk.push(r.value);
      }
      if (chunk.length === 0 || this.#finished) break;
      const signal = this.#signal;
      if (signal?.aborted) throw new CancelledError('map() was cancelled by its signal.', { cause: signal.reason });
      const f = this.#submit(chunk);
      this.#outstanding.add(f);
      if (this.#ordered) {
        f.then(undefined, noop);
        this.#fifo.push(f);
      } else {
        const done = () => {
          this.#completed.push(f);
          this.#wake?.();
        };
        f.then(done, done);
      }
    }
  }

  /** Wait until a chunk has completed (or none is outstanding). A Future cannot be returned from an async function: it would be awaited. */
  async #someCompleted(): Promise<void> {
    while (this.#completed.length === 0 && this.#outstanding.size > 0) {
      await new Promise<void>((r) => {
        this.#wake = r;
      });
      this.#wake = undefined;
    }
  }

  #cleanup(): void {
    this.#buffer = [];
    this.#index = 0;
    if (this.#finished) return;
    this.#finished = true;
    this.#close();
    for (const f of this.#outstanding) {
      f.then(undefined, noop);
      f.cancel('map() stopped before this chunk was consumed.');
    }
    this.#outstanding.clear();
  }
}
