/**
 * The executor's view of one worker: its transport, the tasks it holds in
 * dispatch order, its outgoing batch, and the estimate of how long its tasks
 * take (which decides how many short tasks may be sent ahead).
 * @module
 */
import { postBatch } from './batch.js';
import type { Future } from './future.js';
import type { Batch, ToWorker } from './protocol.js';
import type { Queued } from './queue.js';
import type { Transport } from './transport.js';

/** One submitted task, as the scheduler tracks it. */
export interface Task extends Queued {
  id: number;
  name: string;
  args: unknown[];
  future: Future<unknown>;
  transfer: Transferable[] | undefined;
  timeout: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  worker: PoolWorker | undefined;
  /** Its running time is being measured (it reached a running slot). */
  timing: boolean;
  /** A chunk of map inputs rather than one call. */
  chunk: boolean;
  /** It was in flight when a worker crashed: run it alone next time. */
  suspect: boolean;
}

/** Longest stretch of work, in ms, that may wait in a worker behind a running task. */
const PREFETCH_WINDOW_MS = 1;
/** Most tasks sent ahead to one worker. */
const MAX_PREFETCH = 64;

/** Main-side handle of one worker. */
export class PoolWorker {
  state: 'starting' | 'ready' | 'dead' = 'starting';
  /** We stopped it on purpose (idle, recycle, shutdown, cancel). */
  expected = false;
  /** It is running a suspect task alone. */
  exclusive = false;
  /** It will take no more tasks (maxTasksPerWorker reached). */
  retiring = false;
  helloed = false;
  transport!: Transport;
  readonly inflight: Task[] = [];
  outbox: ToWorker[] = [];
  transfers: Transferable[] = [];
  assigned = 0;
  prefetch = 0;
  estimate = 0;
  busySince = 0;
  lastArrival = 0;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  startTimer: ReturnType<typeof setTimeout> | undefined;
  graceTimer: ReturnType<typeof setTimeout> | undefined;
  referenced = true;

  constructor(
    readonly id: number,
    readonly concurrency: number,
    readonly maxTasks: number,
  ) {}

  /** Tasks it can take now. */
  free(): number {
    if (this.state === 'dead' || this.retiring || this.exclusive) return 0;
    const limit = Math.min(this.concurrency + (this.state === 'ready' ? this.prefetch : 0), this.maxTasks - this.assigned);
    return limit - this.inflight.length;
  }

  /** Update the per-task time estimate after `count` results arrived at `now`. */
  observe(count: number, now: number): void {
    const since = Math.max(this.busySince, this.lastArrival);
    this.lastArrival = now;
    if (count === 0 || since === 0) return;
    const sample = (now - since) / count;
    this.estimate = this.estimate === 0 ? sample : this.estimate * 0.7 + sample * 0.3;
    const ahead = Math.floor(PREFETCH_WINDOW_MS / Math.max(this.estimate, 1e-3));
    this.prefetch = Math.min(ahead, MAX_PREFETCH);
  }

  /**
   * Post the outgoing batch. If it cannot be serialized, post its messages one
   * by one, each with its own transfer list, so that only the culprit fails (`onFailed`).
   */
  flush(onFailed: (w: PoolWorker, msg: ToWorker, error: unknown) => void): void {
    if (!this.helloed || this.state === 'dead' || this.outbox.length === 0) return;
    const batch = this.outbox;
    const transfers = this.transfers;
    this.outbox = [];
    this.transfers = [];
    postBatch(this.#post, batch, transfers, this.#transferOf, (msg, _i, error) => onFailed(this, msg, error));
  }

  #post = (batch: Batch<ToWorker>, transfer: Transferable[]): void => this.transport.post(batch, transfer);

  #transferOf = (msg: ToWorker): Transferable[] | undefined => (msg.t === 'run' ? this.inflight.find((t) => t.id === msg.id)?.transfer : undefined);

  /** Remove a task from its in-flight list. */
  release(task: Task): void {
    const list = this.inflight;
    if (list[0] === task) list.shift();
    else {
      const i = list.indexOf(task);
      if (i >= 0) list.splice(i, 1);
    }
    task.worker = undefined;
  }
}
