/**
 * What a running task can read about itself (`taskContext()`), and the
 * `transfer()` wrapper for results that move buffers instead of copying them.
 * @module
 */
import { readSafely } from './describe.js';
import { OffloadError } from './errors.js';
import type { Transferred } from './options.js';

/** What a running task can read about itself. Also bound as `this` of a task function. */
export interface TaskContext {
  /** Aborted when the caller cancels the task or its timeout expires. Check it in long loops. */
  readonly signal: AbortSignal;
  /** The task's id within its executor. */
  readonly taskId: number;
  /**
   * Report progress (any cloneable value) to the caller's `onProgress`. Cheap to
   * call often: values are coalesced, the latest one reported before each
   * batch leaves the worker wins. Ignored once the task has settled.
   */
  progress(value: unknown): void;
}

/** A task's context; its AbortController is made only when the task reads `signal`. */
export class Context implements TaskContext {
  #controller: AbortController | undefined;
  #reason: unknown;
  #aborted = false;
  /** Told of this task's progress (set by `serve()`): at the first report since the last flush, then every 64th. Undefined once the task settled. */
  report: ((ctx: Context) => void) | undefined;
  /** The latest progress value not yet sent, when `pending`. */
  latest: unknown;
  pending = false;
  #calls = 0;
  constructor(readonly taskId: number) {}
  progress(value: unknown): void {
    const report = this.report;
    if (!report) return;
    this.latest = value;
    if (!this.pending) {
      this.pending = true;
      report(this);
    } else if ((++this.#calls & 63) === 0) report(this);
  }
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }
  abort(reason: unknown): void {
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

let current: TaskContext | undefined;

/** Make `ctx` what `taskContext()` returns, for the synchronous start of a task; `undefined` ends it. */
export function setContext(ctx: Context | undefined): void {
  current = ctx;
}

/** The context of the task being started. Call it synchronously at the top of a task function. */
export function taskContext(): TaskContext {
  if (!current) {
    throw new OffloadError('ERR_OFFLOAD_INVALID_ARGUMENT', 'taskContext() must be called synchronously at the start of a task function (before any await).');
  }
  return current;
}

const TRANSFER = Symbol.for('offload.transfer');

/**
 * Return `value` from a task and move `transfer` (ArrayBuffers, ports...) to
 * the caller instead of copying them.
 */
export function transfer<V>(value: V, transferList: Transferable[]): Transferred<V> {
  return { [TRANSFER]: true, value, transfer: transferList } as unknown as Transferred<V>;
}

/** Was `v` made by {@link transfer}? */
export const isTransferred = (v: unknown): v is Transferred<unknown> => typeof v === 'object' && v !== null && readSafely(v, TRANSFER) === true;
