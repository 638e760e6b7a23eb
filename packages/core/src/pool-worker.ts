/**
 * The executor's view of one worker: its transport, the tasks it holds in
 * dispatch order, its outgoing batch, and the estimate of how long its tasks
 * take (which decides how many short tasks may be sent ahead).
 * @module
 */
import { postBatch } from './batch.js';
import type { ClaimSlots } from './claims.js';
import type { OffloadError } from './errors.js';
import type { Future } from './future.js';
import type { Batch, ToWorker } from './protocol.js';
import type { Queued } from './queue.js';
import type { StreamSink } from './stream.js';
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
  timer: ReturnType<typeof setTimeout> | undefined;
  worker: PoolWorker | undefined;
  /** Its running time is being measured (it reached a running slot). */
  timing: boolean;
  /** A chunk of map inputs rather than one call. */
  chunk: boolean;
  /** It was in flight when a worker crashed: run it alone next time. */
  suspect: boolean;
  /** Its claim slot on its worker, or -1 (no shared memory). */
  slot: number;
  /** When a cancelled or timed-out task that is still running must have stopped (ms, performance.now()); 0 if not stopping. */
  stopBy: number;
  // ---- streams and progress ----
  /** Sent as a stream (`executor.stream()` or the typed proxy): where its items go. */
  sink?: StreamSink;
  /** Known to be a stream before it runs (`executor.stream()`): it only goes to a free running slot. */
  longStream?: boolean;
  /** It is a stream running on its worker, counted in the worker's `streams`. */
  streaming?: boolean;
  /** Its stream's `idleTimeout` clock is running (it reached a running slot). */
  idleWatched?: boolean;
  /** The next check of its stream's `idleTimeout`. */
  idleTimer?: ReturnType<typeof setTimeout> | undefined;
  /** The caller's `onProgress`. */
  onProgress?: (value: unknown) => void;
}

/** Longest stretch of work, in ms, that may wait in a worker behind a running task. */
const PREFETCH_WINDOW_MS = 1;
/** Most tasks sent ahead to one worker (only to workers with claim slots, where they stay reclaimable). */
export const MAX_PREFETCH = 64;

/** Main-side handle of one worker. */
export class PoolWorker {
  state: 'starting' | 'ready' | 'dead' = 'starting';
  /** We stopped it on purpose (idle, recycle, shutdown, cancel). */
  expected = false;
  /** It is running a suspect task alone. */
  exclusive = false;
  /** It will take no more tasks (maxTasksPerWorker reached). */
  retiring = false;
  /** The executor has asked it to stop. */
  stopping = false;
  helloed = false;
  /** Why it failed to start, once it did. */
  startError: { error: OffloadError; kind: 'load' | 'init' | 'timeout' | 'died' } | undefined;
  transport!: Transport;
  readonly inflight: Task[] = [];
  outbox: ToWorker[] = [];
  transfers: Transferable[] = [];
  assigned = 0;
  prefetch = 0;
  estimate = 0;
  busySince = 0;
  lastArrival = 0;
  /** Claim slots shared with the worker; undefined when the transport cannot share memory (then nothing is sent ahead). */
  slots: ClaimSlots | undefined;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  startTimer: ReturnType<typeof setTimeout> | undefined;
  graceTimer: ReturnType<typeof setTimeout> | undefined;
  /** It was asked to `close` (end itself after delivering its output). */
  closeSent = false;
  /** The fallback that terminates it if it has not closed in time. */
  closeTimer: ReturnType<typeof setTimeout> | undefined;
  referenced = true;
  /** Streams it runs: while any does, nothing is sent ahead to it (a stream holds its slot for long). */
  streams = 0;

  constructor(
    readonly id: number,
    readonly concurrency: number,
    readonly maxTasks: number,
  ) {}

  /** Tasks it can take now: its free running slots, plus what may be sent ahead when its tasks stay reclaimable. */
  free(): number {
    if (this.state === 'dead' || this.retiring || this.exclusive) return 0;
    const slots = this.slots;
    const ahead = slots && this.state === 'ready' && this.streams === 0 ? this.prefetch : 0;
    const limit = Math.min(this.concurrency + ahead, this.maxTasks - this.assigned);
    const room = limit - this.inflight.length;
    return slots ? Math.min(room, slots.available) : room;
  }

  /** Free running slots (tasks it would start at once). */
  idleSlots(): number {
    return this.state === 'dead' ? 0 : this.concurrency - this.inflight.length;
  }

  /** Has the worker started `task` (it reached one of its running slots)? */
  started(task: Task): boolean {
    if (this.slots && task.slot >= 0) return this.slots.started(task.slot, task.id);
    if (this.state !== 'ready') return false;
    const i = this.inflight.indexOf(task);
    return i >= 0 && i < this.concurrency;
  }

  /**
   * Tasks at the end of its line that it has not started, running slots
   * included, behind one it is running (a worker claims its tasks in the order
   * they were sent, so those it has not started are the last ones). 0 without
   * claim slots, and when it runs nothing: then it is not busy, its tasks are
   * on their way, and taking them all would leave it empty.
   */
  unstarted(): number {
    const slots = this.slots;
    if (!slots) return 0;
    for (let i = this.inflight.length - 1; i >= 0; i--) {
      const t = this.inflight[i] as Task;
      if (t.slot < 0) return 0;
      if (slots.started(t.slot, t.id)) return this.inflight.length - 1 - i;
    }
    return 0;
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

  /** Remove a task from its in-flight list and free its claim slot. */
  release(task: Task): void {
    const list = this.inflight;
    if (list[0] === task) list.shift();
    else {
      const i = list.lastIndexOf(task);
      if (i >= 0) list.splice(i, 1);
    }
    if (task.slot >= 0) {
      this.slots?.release(task.slot);
      task.slot = -1;
    }
    if (task.streaming) {
      task.streaming = false;
      this.streams--;
    }
    task.worker = undefined;
  }
}
