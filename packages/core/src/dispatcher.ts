/**
 * The scheduler behind {@link Executor}: assigns queued tasks to workers,
 * batches messages, applies timeouts and staged cancellation, recycles idle
 * or worn workers and recovers from crashes.
 * @module
 */
import { CancelledError, TimeoutError, WorkerCrashedError, WorkerInitError } from './errors.js';
import type { ExecutorStats, ResolvedOptions } from './options.js';
import { PoolWorker, type Task } from './pool-worker.js';
import { decodeError, type FromWorker, PROTOCOL_VERSION, type ToWorker } from './protocol.js';
import { TaskQueue } from './queue.js';
import { serializationFailure } from './serialization.js';
import { fatalError } from './start-failure.js';
import type { Spawn } from './transport.js';

const perf = globalThis.performance;
const now = () => perf.now();
const unref = (t: ReturnType<typeof setTimeout>) => {
  (t as { unref?: () => void }).unref?.();
  return t;
};

/** Least time a worker asked to `close` gets to deliver its output and exit before it is terminated. */
const CLOSE_GRACE_MS = 2000;

/** Internal scheduler; one per executor. */
export class Dispatcher {
  readonly queue = new TaskQueue<Task>();
  readonly workers: PoolWorker[] = [];
  readonly inflight = new Map<number, Task>();
  closing = false;
  drained: Promise<void>;
  #resolveDrained!: () => void;
  #nextWorkerId = 1;
  #dirty: PoolWorker[] = [];
  #flushScheduled = false;
  #capacityWaiters: (() => void)[] = [];
  /** The last worker failed to start and none has started since: do not respawn to keep minWorkers. */
  #startBroken = false;
  /** Workers sent a `close` (a graceful stop under way). */
  #closing = new WeakSet<PoolWorker>();
  #counts = { completed: 0, failed: 0, cancelled: 0, timedOut: 0, crashedWorkers: 0, spawnedWorkers: 0 };

  constructor(
    readonly spawn: Spawn,
    readonly options: ResolvedOptions,
  ) {
    this.drained = new Promise((r) => {
      this.#resolveDrained = r;
    });
    for (let i = 0; i < options.minWorkers; i++) this.#spawnWorker();
  }

  // ---- accepting and assigning work ----

  hasFreeSlot(): boolean {
    if (this.workers.length < this.options.maxWorkers) return true;
    for (const w of this.workers) if (w.free() > 0) return true;
    return false;
  }

  accept(task: Task): void {
    if (this.queue.size === 0 && this.#tryAssign(task)) return;
    this.queue.push(task);
    this.pump();
  }

  #pickWorker(needsEmpty: boolean): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    let bestFree = 0;
    for (const w of this.workers) {
      const free = w.free();
      if (free <= 0 || (needsEmpty && w.inflight.length > 0)) continue;
      const score = free + (w.state === 'ready' ? 0.5 : 0);
      if (score > bestFree) {
        best = w;
        bestFree = score;
      }
    }
    if (!best && this.workers.length < this.options.maxWorkers) best = this.#spawnWorker();
    return best;
  }

  #tryAssign(task: Task): boolean {
    const w = this.#pickWorker(task.suspect);
    if (!w) return false;
    this.#assign(w, task);
    return true;
  }

  /** Move queued tasks to workers with room. */
  pump(): void {
    while (this.queue.size > 0) {
      const task = this.queue.shift() as Task;
      if (!this.#tryAssign(task)) {
        this.queue.unshift(task);
        break;
      }
    }
    this.#wakeCapacityWaiters();
    if (this.closing) this.#finishIfDrained();
  }

  #assign(w: PoolWorker, task: Task): void {
    task.worker = w;
    if (w.inflight.length === 0) {
      w.busySince = now();
      if (!w.referenced) {
        w.referenced = true;
        w.transport.ref?.();
      }
      if (w.idleTimer) {
        clearTimeout(w.idleTimer);
        w.idleTimer = undefined;
      }
    }
    w.inflight.push(task);
    w.assigned++;
    if (task.suspect) w.exclusive = true;
    if (w.assigned >= w.maxTasks) w.retiring = true;
    this.inflight.set(task.id, task);
    task.future.markRunning();
    const msg: ToWorker = task.chunk
      ? { t: 'run', id: task.id, name: task.name, args: task.args, c: 1 }
      : { t: 'run', id: task.id, name: task.name, args: task.args };
    this.#send(w, msg, task.transfer);
    if (task.timeout > 0 && w.state === 'ready' && w.inflight.length <= w.concurrency) this.#startTiming(task);
  }

  // ---- messages out ----

  #send(w: PoolWorker, msg: ToWorker, transfer?: Transferable[]): void {
    w.outbox.push(msg);
    if (transfer) for (const t of transfer) w.transfers.push(t);
    if (w.outbox.length === 1) this.#dirty.push(w);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  #flush = (): void => {
    this.#flushScheduled = false;
    const dirty = this.#dirty;
    this.#dirty = [];
    for (const w of dirty) this.#flushWorker(w);
  };

  #flushWorker(w: PoolWorker): void {
    w.flush(this.#postFailed);
  }

  /** A run message could not be serialized: reject that task alone. */
  #postFailed = (w: PoolWorker, msg: ToWorker, error: unknown): void => {
    if (msg.t !== 'run') return;
    const task = this.inflight.get(msg.id);
    if (!task) return;
    this.#finish(task);
    task.future.settleRejected(serializationFailure(`argument`, task.name, task.args, error));
    this.#counts.failed++;
    this.#afterRelease(w);
  };

  // ---- messages in ----

  #onMessages(w: PoolWorker, batch: FromWorker[], exit: (info: { exitCode?: number }) => void): void {
    if (w.state === 'dead') return;
    let results = 0;
    for (const msg of batch) {
      switch (msg.t) {
        case 'ok':
        case 'err': {
          const task = this.inflight.get(msg.id);
          if (!task || task.worker !== w) break;
          results++;
          this.#finish(task);
          if (msg.t === 'ok') {
            if (task.future.settleFulfilled(msg.value)) this.#counts.completed++;
          } else if (task.future.settleRejected(decodeError(msg.error))) this.#counts.failed++;
          break;
        }
        case 'hello':
          if (msg.v !== PROTOCOL_VERSION) {
            this.#startFailed(
              w,
              new WorkerInitError(
                `The worker speaks protocol v${msg.v}, the executor v${PROTOCOL_VERSION}: install matching versions of the @offload packages.`,
              ),
            );
            return;
          }
          w.helloed = true;
          w.outbox.unshift({ t: 'start', v: PROTOCOL_VERSION, init: this.options.init, concurrency: w.concurrency });
          this.#flushWorker(w);
          break;
        case 'ready':
          w.state = 'ready';
          this.#startBroken = false;
          if (w.startTimer) clearTimeout(w.startTimer);
          this.#timeRunning(w);
          break;
        case 'fatal':
          this.#startFailed(w, fatalError(msg));
          return;
        case 'bye':
          exit(msg.code === undefined ? {} : { exitCode: msg.code });
          void Promise.resolve(w.transport.terminate()).catch(() => {});
          return;
        default:
          break;
      }
    }
    if (results > 0) {
      w.observe(results, now());
      this.#afterRelease(w);
    }
  }

  /** A worker has room again: time newly running tasks, recycle or idle it, refill. */
  #afterRelease(w: PoolWorker): void {
    if (w.state === 'dead') return;
    this.#timeRunning(w);
    this.#watchStuck(w);
    if (w.inflight.length === 0) {
      w.exclusive = false;
      if (w.retiring) {
        this.#stopWorker(w, true);
      } else if (this.queue.size === 0) {
        this.#becameIdle(w);
      }
    }
    this.pump();
  }

  /** Start the timeout clock of tasks that just reached a running slot of a ready worker. */
  #timeRunning(w: PoolWorker): void {
    if (w.state !== 'ready') return;
    const n = Math.min(w.inflight.length, w.concurrency);
    for (let i = 0; i < n; i++) {
      const t = w.inflight[i] as Task;
      if (t.timeout > 0 && !t.timing && !t.future.done()) this.#startTiming(t);
    }
  }

  #becameIdle(w: PoolWorker): void {
    if (w.referenced) {
      w.referenced = false;
      w.transport.unref?.();
    }
    if (this.closing) return;
    const o = this.options;
    if (o.idleTimeout !== Number.POSITIVE_INFINITY && this.#serving() > o.minWorkers) {
      w.idleTimer = unref(
        setTimeout(() => {
          w.idleTimer = undefined;
          if (w.inflight.length === 0 && this.#serving() > o.minWorkers) this.#stopWorker(w, true);
        }, o.idleTimeout),
      );
    }
  }

  /** Workers that are not on their way out. */
  #serving(): number {
    let n = 0;
    for (const w of this.workers) if (!w.retiring) n++;
    return n;
  }

  /** Take a task off its worker and stop its clock; it may be queued again. */
  #detach(task: Task): void {
    this.inflight.delete(task.id);
    if (task.timer) clearTimeout(task.timer);
    task.timer = undefined;
    task.timing = false;
    task.worker?.release(task);
  }

  /** Clear a task's timers and listeners and take it off its worker: it is settled. */
  #finish(task: Task): void {
    this.#detach(task);
    if (task.onAbort) {
      task.signal?.removeEventListener('abort', task.onAbort);
      task.onAbort = undefined;
    }
  }

  // ---- timeouts and cancellation ----

  #startTiming(task: Task): void {
    task.timing = true;
    const timeout = task.timeout;
    if (timeout === Number.POSITIVE_INFINITY) return;
    task.timer = setTimeout(() => {
      task.timer = undefined;
      const error = new TimeoutError(timeout);
      if (task.future.settleRejected(error)) {
        this.#counts.failed++;
        this.#counts.timedOut++;
      }
      this.#stopRunning(task, error);
    }, timeout);
  }

  cancel(task: Task, reason: CancelledError): void {
    this.#counts.cancelled++;
    if (this.queue.remove(task)) {
      this.#finish(task);
      this.#wakeCapacityWaiters();
      if (this.closing) this.#finishIfDrained();
      return;
    }
    this.#stopRunning(task, reason);
  }

  /** Ask the worker to stop a task; terminate the worker if it has not stopped after the grace period. */
  #stopRunning(task: Task, reason: Error): void {
    const w = task.worker;
    if (!w || w.state === 'dead') {
      this.#finish(task);
      return;
    }
    if (task.timer) clearTimeout(task.timer);
    task.timer = undefined;
    if (task.onAbort) {
      task.signal?.removeEventListener('abort', task.onAbort);
      task.onAbort = undefined;
    }
    this.#send(w, { t: 'cancel', id: task.id, reason: { name: reason.name, message: reason.message } });
    this.#watchStuck(w);
  }

  /** True when a task the caller no longer waits for still occupies one of the worker's running slots. */
  #hasStuckTask(w: PoolWorker): boolean {
    const n = Math.min(w.inflight.length, w.concurrency);
    for (let i = 0; i < n; i++) if ((w.inflight[i] as Task).future.done()) return true;
    return false;
  }

  /** Give a cancelled or timed-out running task the grace period to stop, then terminate its worker. */
  #watchStuck(w: PoolWorker): void {
    if (w.graceTimer || !this.#hasStuckTask(w)) return;
    w.graceTimer = setTimeout(() => {
      w.graceTimer = undefined;
      if (w.state !== 'dead' && this.#hasStuckTask(w)) this.#stopWorker(w);
    }, this.options.cancelGrace);
  }

  // ---- worker lifecycle ----

  #spawnWorker(): PoolWorker {
    const w = new PoolWorker(this.#nextWorkerId++, this.options.concurrentTasksPerWorker, this.options.maxTasksPerWorker);
    this.workers.push(w);
    this.#counts.spawnedWorkers++;
    let exited = false;
    const exit = (info: { error?: unknown; exitCode?: number; signal?: string }): void => {
      if (exited) return;
      exited = true;
      this.#onExit(w, info);
    };
    try {
      w.transport = this.spawn({ message: (batch) => this.#onMessages(w, batch, exit), exit }, { workerId: w.id });
    } catch (error) {
      w.transport = { post() {}, terminate() {} };
      queueMicrotask(() => this.#onExit(w, { error }));
      return w;
    }
    if (this.options.startTimeout !== Number.POSITIVE_INFINITY) {
      w.startTimer = unref(
        setTimeout(() => {
          if (w.state === 'starting') {
            this.#startFailed(
              w,
              new WorkerInitError(
                `The worker did not start within ${this.options.startTimeout} ms: check that the task module calls expose(), or raise startTimeout.`,
              ),
            );
          }
        }, this.options.startTimeout),
      );
    }
    return w;
  }

  /**
   * Stop a worker. `graceful` (shutdown, idle timeout, recycling) asks a worker
   * that holds no task to end itself with `close`, so that it delivers its
   * stdout/stderr first, and terminates it only if it has not exited within
   * max(cancelGrace, 2000 ms). Otherwise (cancel, timeout, start failure) it is
   * terminated at once.
   */
  #stopWorker(w: PoolWorker, graceful = false): void {
    if (w.state === 'dead') return;
    w.expected = true;
    w.retiring = true;
    if (!w.referenced) {
      w.referenced = true;
      w.transport.ref?.();
    }
    if (graceful && w.helloed && w.inflight.length === 0) {
      if (this.#closing.has(w)) return;
      this.#closing.add(w);
      this.#send(w, { t: 'close' });
      // Fallback; harmless if it fires after the exit (#stopWorker ignores a dead worker).
      unref(setTimeout(() => this.#stopWorker(w), Math.max(this.options.cancelGrace, CLOSE_GRACE_MS)));
      return;
    }
    void Promise.resolve(w.transport.terminate()).catch(() => {});
  }

  #startFailed(w: PoolWorker, error: WorkerInitError): void {
    w.expected = true;
    this.#failStart(w, error);
    this.#stopWorker(w);
  }

  /** A worker failed to start: everything waiting for it would fail the same way, so reject it all now. */
  #failStart(w: PoolWorker, error: WorkerInitError): void {
    this.#startBroken = true;
    for (const task of [...w.inflight, ...this.queue.drain()]) {
      this.#finish(task);
      if (task.future.settleRejected(error)) this.#counts.failed++;
    }
    this.#wakeCapacityWaiters();
  }

  #onExit(w: PoolWorker, info: { error?: unknown; exitCode?: number; signal?: string }): void {
    const wasStarting = w.state === 'starting';
    w.state = 'dead';
    for (const t of [w.idleTimer, w.startTimer, w.graceTimer]) if (t) clearTimeout(t);
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
    const pending: Task[] = [];
    for (const t of w.inflight.slice()) {
      if (t.future.done()) this.#finish(t);
      else {
        this.#detach(t);
        pending.push(t);
      }
    }
    if (wasStarting && !w.expected) {
      const why = info.error instanceof Error ? info.error.message : info.exitCode !== undefined ? `it exited with code ${info.exitCode}` : 'it stopped';
      const error = new WorkerInitError(`The worker could not start the task module: ${why}`, { cause: info.error });
      for (const t of pending) {
        this.#finish(t);
        if (t.future.settleRejected(error)) this.#counts.failed++;
      }
      this.#failStart(w, error);
    } else if (!w.expected) {
      this.#counts.crashedWorkers++;
      if (pending.length === 1) {
        const code = info.exitCode !== undefined ? ` (exit code ${info.exitCode})` : info.signal ? ` (${info.signal})` : '';
        const why = info.error instanceof Error ? `: ${info.error.message}` : '';
        const error = new WorkerCrashedError(`The worker died while running task "${pending[0]?.name}"${code}${why}. It has been replaced.`, {
          cause: info.error,
          exitCode: info.exitCode,
        });
        this.#finish(pending[0] as Task);
        if (pending[0]?.future.settleRejected(error)) this.#counts.failed++;
      } else {
        for (let k = pending.length - 1; k >= 0; k--) {
          const t = pending[k] as Task;
          t.suspect = true;
          this.queue.unshift(t);
        }
      }
    } else {
      for (let k = pending.length - 1; k >= 0; k--) this.queue.unshift(pending[k] as Task);
    }
    if (!this.closing && !this.#startBroken) while (this.#serving() < this.options.minWorkers) this.#spawnWorker();
    this.pump();
    if (this.closing) this.#finishIfDrained();
  }

  // ---- capacity, shutdown, stats ----

  capacity(): Promise<void> {
    if (this.queue.size < this.options.maxQueue || this.closing) return Promise.resolve();
    return new Promise((r) => this.#capacityWaiters.push(r));
  }

  #wakeCapacityWaiters(): void {
    while (this.#capacityWaiters.length > 0 && (this.queue.size < this.options.maxQueue || this.closing)) {
      this.#capacityWaiters.shift()?.();
    }
  }

  shutdown(cancelPending: boolean, cancelRunning: boolean): Promise<void> {
    this.closing = true;
    if (cancelPending || cancelRunning) {
      for (const t of this.queue.drain()) {
        this.#finish(t);
        if (t.future.settleCancelled(new CancelledError('The executor was shut down before the task started.'))) this.#counts.cancelled++;
      }
    }
    if (cancelRunning) {
      for (const t of [...this.inflight.values()]) t.future.cancel(new CancelledError('The executor was shut down while the task was running.'));
    }
    this.#wakeCapacityWaiters();
    this.#finishIfDrained();
    return Promise.resolve();
  }

  #finishIfDrained(): void {
    if (this.queue.size > 0) return;
    for (const w of this.workers) if (w.inflight.length === 0) this.#stopWorker(w, true);
    if (this.workers.length === 0) this.#resolveDrained();
  }

  stats(): ExecutorStats {
    let busy = 0;
    for (const w of this.workers) if (w.inflight.length > 0) busy++;
    return {
      workers: this.workers.length,
      busyWorkers: busy,
      idleWorkers: this.workers.length - busy,
      queued: this.queue.size,
      running: this.inflight.size,
      ...this.#counts,
    };
  }
}
