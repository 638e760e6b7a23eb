/**
 * executor.map(): lazy, bounded, ordered or unordered application of a task
 * over an iterable, with chunking.
 * @module
 */
import { CancelledError, InvalidArgumentError } from './errors.js';
import type { Future } from './future.js';
import type { MapOptions, TaskOptions } from './options.js';
import { type ChunkResult, decodeError } from './protocol.js';

interface ChunkSubmitter {
  /** Submit a chunk of inputs (one task over all of them) or, with `single`, one input as a plain task. */
  _submitChunk(name: string, inputs: unknown[], options: TaskOptions, single: boolean): Future<unknown>;
}

const noop = () => {};

type Pull = () => Promise<IteratorResult<unknown>> | IteratorResult<unknown>;

function puller(inputs: Iterable<unknown> | AsyncIterable<unknown>): { pull: Pull; sync: boolean; close: () => void } {
  if (inputs && typeof (inputs as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const it = (inputs as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    return { pull: () => it.next(), sync: false, close: () => void it.return?.()?.catch?.(() => {}) };
  }
  if (inputs && typeof (inputs as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const it = (inputs as Iterable<unknown>)[Symbol.iterator]();
    return { pull: () => it.next(), sync: true, close: () => void it.return?.() };
  }
  throw new InvalidArgumentError('map() inputs must be an iterable or an async iterable (an array, a generator, a stream...).');
}

/** Implementation of `executor.map()`. */
export async function* mapTasks(
  executor: ChunkSubmitter,
  name: string,
  inputs: Iterable<unknown> | AsyncIterable<unknown>,
  options: MapOptions,
  slots: number,
): AsyncGenerator<unknown, void, undefined> {
  const chunkSize = options.chunkSize ?? 1;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new InvalidArgumentError(`map() option "chunkSize" must be an integer >= 1; got ${String(chunkSize)}.`);
  const single = chunkSize === 1;
  // One input per task is cheap to have many of in flight (short tasks are sent ahead to workers).
  const maxInFlight = options.maxInFlight ?? Math.max(single ? 64 : 2, slots * 2);
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new InvalidArgumentError(`map() option "maxInFlight" must be an integer >= 1; got ${String(maxInFlight)}.`);
  }
  const ordered = options.ordered ?? true;
  const signal = options.signal;
  const taskOptions: TaskOptions = { timeout: options.timeout, priority: options.priority, signal };
  const { pull, sync, close } = puller(inputs);
  /** Chunks in submission order (ordered) or completion order (unordered). */
  const outstanding = new Set<Future<unknown>>();
  const fifo: Future<unknown>[] = [];
  const completed: Future<unknown>[] = [];
  let wake: (() => void) | undefined;
  let exhausted = false;

  const fill = async (): Promise<void> => {
    while (!exhausted && outstanding.size < maxInFlight) {
      const chunk: unknown[] = [];
      while (chunk.length < chunkSize) {
        const r = (sync ? pull() : await pull()) as IteratorResult<unknown>;
        if (r.done) {
          exhausted = true;
          break;
        }
        chunk.push(r.value);
      }
      if (chunk.length === 0) break;
      if (signal?.aborted) throw new CancelledError('map() was cancelled by its signal.', { cause: signal.reason });
      const f = executor._submitChunk(name, chunk, taskOptions, single);
      outstanding.add(f);
      if (ordered) {
        f.then(undefined, noop);
        fifo.push(f);
      } else {
        const done = () => {
          completed.push(f);
          wake?.();
        };
        f.then(done, done);
      }
    }
  };

  const unpack = function* (f: Future<unknown>, result: unknown): Generator<unknown> {
    outstanding.delete(f);
    if (single) {
      yield result;
      return;
    }
    const [values, errorIndex, error] = result as ChunkResult;
    yield* values;
    if (errorIndex !== undefined && error) throw decodeError(error);
  };

  try {
    // Refill in batches (at half the in-flight bound) so that submissions share messages.
    const refillAt = Math.max(1, Math.floor(maxInFlight / 2));
    for (;;) {
      if (outstanding.size <= refillAt) await fill();
      let next: Future<unknown> | undefined;
      if (ordered) next = fifo.shift();
      else {
        while (completed.length === 0 && outstanding.size > 0) {
          await new Promise<void>((r) => {
            wake = r;
          });
          wake = undefined;
        }
        next = completed.shift();
      }
      if (!next) return;
      const result = await next;
      yield* unpack(next, result);
    }
  } finally {
    close();
    for (const f of outstanding) {
      f.then(undefined, noop);
      f.cancel('map() stopped before this chunk was consumed.');
    }
  }
}
