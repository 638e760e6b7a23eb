/**
 * Running one job on a worker machine's local executor: a plain task, a
 * `map()` chunk, or a stream, with progress and streamed items written to the
 * job's progress (which BullMQ's event stream delivers to the caller in order,
 * before the job's completion).
 * @module
 */
import { CancelledError, type Executor, SerializationError, WorkerInitError } from '@offload/core';
import { type ChunkResult, encodeError, isGeneratorStream } from '@offload/core/backend';
import type { Job } from 'bullmq';
import { encode } from './codec.js';

/** How the worker reaches a running job: cancel it, or grant its stream more items. */
export interface Control {
  cancel(): void;
  pull?(n: number): void;
}

/** What a job's progress carries: a progress value (`p`) or streamed items (`y`). */
export type ProgressMessage = { p: unknown } | { y: unknown[] };

/** What a stream job returns: whether the task was a generator, and the value (a plain task's result). */
export interface StreamOutcome {
  g: 0 | 1;
  v: unknown;
}

const noop = () => {};

/** At most one progress write per this many ms. */
const PROGRESS_EVERY = 50;

/** The job's outgoing progress: coalesced progress values (one write per 50 ms at most, the first at once), items batched per tick, in order. */
export class Outbox {
  #items: unknown[] = [];
  #latest: { v: unknown } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastWrite = 0;
  #chain: Promise<void> = Promise.resolve();
  /** An item that could not be encoded: the stream fails with it. */
  failed: Error | undefined;
  /** Items handed to this outbox so far (a stream that sent some is not retried: they would repeat). */
  items = 0;

  constructor(readonly job: Job) {}

  progress(v: unknown): void {
    this.#latest = { v };
    if (this.#timer) return;
    // The first value of a quiet spell goes out at once (the caller sees progress early); later
    // ones wait for the rest of the 50 ms, and only the latest of them is written.
    const wait = this.#lastWrite + PROGRESS_EVERY - Date.now();
    if (wait <= 0) this.#flushProgress();
    else this.#timer = setTimeout(() => this.#flushProgress(), wait);
  }

  item(v: unknown): void {
    this.items++;
    this.#items.push(v);
    if (this.#items.length === 1) setImmediate(() => this.#flushItems());
  }

  async flush(): Promise<void> {
    this.#flushItems();
    this.#flushProgress();
    await this.#chain;
  }

  #flushProgress(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const latest = this.#latest;
    this.#latest = undefined;
    if (!latest) return;
    this.#lastWrite = Date.now();
    this.#write({ p: latest.v });
  }

  #flushItems(): void {
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.#write({ y: items });
  }

  #write(message: ProgressMessage): void {
    let text: string;
    try {
      text = encode(message);
    } catch (error) {
      if ('y' in message)
        this.failed ??= new SerializationError(`An item of stream "${this.job.name}" cannot be sent to the caller: ${(error as Error).message}`, {
          cause: error,
        });
      return;
    }
    this.#chain = this.#chain.then(() => this.job.updateProgress(text)).then(noop, noop);
  }
}

/** A plain task. */
export function runOne(
  ex: Executor,
  job: Job,
  args: unknown[],
  timeout: number | undefined,
  set: (c: Control) => void,
  out: Outbox | undefined,
): Promise<unknown> {
  const f = ex.submit(job.name, args, { timeout, onProgress: out ? (v) => out.progress(v) : undefined });
  set({ cancel: () => f.cancel('cancelled by the caller') });
  return f;
}

/** A `map()` chunk: the inputs in order, up to the first error (a ChunkResult, as the core's map expects). */
export async function runChunk(
  ex: Executor,
  job: Job,
  inputs: unknown[],
  timeout: number | undefined,
  set: (c: Control) => void,
  out: Outbox | undefined,
): Promise<ChunkResult> {
  const ac = new AbortController();
  set({ cancel: () => ac.abort() });
  const values: unknown[] = [];
  try {
    const onProgress = out ? (v: unknown) => out.progress(v) : undefined;
    for await (const v of ex.map(job.name, inputs, { chunkSize: inputs.length, timeout, signal: ac.signal, onProgress })) values.push(v);
  } catch (error) {
    // A chunk none of whose inputs could start here is given back whole (see the worker's refusals).
    if (error instanceof CancelledError || (error instanceof WorkerInitError && values.length === 0 && ex.stats().workers === 0)) throw error;
    return [values, values.length, encodeError(error)];
  }
  return [values];
}

/**
 * A stream: items go out as the caller grants credit (its `highWaterMark`,
 * then what it consumed), so the generator never runs far ahead of the caller.
 */
export async function runStream(
  ex: Executor,
  job: Job,
  args: unknown[],
  hwm: number,
  timeout: number | undefined,
  idleTimeout: number | undefined,
  set: (c: Control) => void,
  out: Outbox,
): Promise<StreamOutcome> {
  // The caller's credit bounds how far ahead the generator runs; the thread keeps one item ready,
  // so the generator stays at most highWaterMark + 1 items ahead of the consumer.
  // Its idleTimeout pauses while the caller's credit is used up: the loop below then stops taking items.
  const stream = ex.stream(job.name, args, { highWaterMark: 1, timeout, idleTimeout });
  let credit = hwm;
  let wake: (() => void) | undefined;
  let stopped = false;
  set({
    cancel: () => {
      stopped = true;
      stream.cancel('cancelled by the caller');
      wake?.();
    },
    pull: (n) => {
      credit += n;
      wake?.();
    },
  });
  const it = stream[Symbol.asyncIterator]();
  let value: unknown;
  for (;;) {
    while (credit <= 0 && !stopped) await new Promise<void>((r) => (wake = r));
    wake = undefined;
    const r = await it.next();
    if (r.done) break;
    if (!isGeneratorStream(stream)) {
      value = r.value;
      continue;
    }
    credit--;
    out.item(r.value);
    if (out.failed) {
      await it.return?.();
      throw out.failed;
    }
  }
  await out.flush();
  if (out.failed) throw out.failed;
  return { g: isGeneratorStream(stream) ? 1 : 0, v: value };
}
