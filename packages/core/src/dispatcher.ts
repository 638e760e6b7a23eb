/**
 * The scheduler behind {@link Executor}: assigns queued tasks to workers,
 * sends short tasks ahead and takes them back when another worker runs dry,
 * batches messages, applies timeouts and staged cancellation, and settles
 * every Future exactly once. Workers' start, exit and recovery live in
 * {@link Lifecycle}; the choice of worker in `policy.ts`.
 * @module
 */
import { AbortWatch } from './abort-watch.js';
import { messageOf } from './describe.js';
import { CancelledError, type OffloadError, SerializationError, TimeoutError, WorkerInitError } from './errors.js';
import { type CancelOwner, settleFuture } from './future.js';
import { Lifecycle } from './lifecycle.js';
import type { ExecutorStats, ResolvedOptions } from './options.js';
import { pickStreamWorker, pickWorker, planRescue, planSteal } from './policy.js';
import type { PoolWorker, Task } from './pool-worker.js';
import { decodeError, type FromWorker, PROTOCOL_VERSION, type ToWorker } from './protocol.js';
import { TaskQueue } from './queue.js';
import { serializationFailure } from './serialization.js';
import { fatalError } from './start-failure.js';
import { after, cancelTimer, now, type Timer } from './timers.js';
import type { Spawn } from './transport.js';

type Outcome = 'fulfilled' | 'rejected' | 'cancelled';

/** Internal scheduler; one per executor. */
export class Dispatcher extends Lifecycle implements CancelOwner<Task> {
  readonly queue = new TaskQueue<Task>();
  /** Tasks handed to a worker and not settled (or settled but still occupying their worker). */
  readonly inflight = new Map<number, Task>();
  #dirty: PoolWorker[] = [];
  #flushScheduled = false;
  #capacityWaiters: (() => void)[] = [];
  /** Capacity promised to woken `capacity()` callers that have not submitted yet. */
  #reserved = 0;
  #reserveTimer: Timer;
  readonly #counts = { completed: 0, failed: 0, cancelled: 0, timedOut: 0 };
  /** Names of tasks that turned out to be generators: later calls of the typed proxy are scheduled as streams. */
  readonly #streamNames = new Set<string>();
  /** The abort listeners of the tasks' signals: one per signal. */
  readonly aborts = new AbortWatch<Task>((task, reason) => task.future.cancel(reason));

  constructor(spawn: Spawn, options: ResolvedOptions) {
    super(spawn, options);
    if (options.init !== undefined) {
      try {
        structuredClone(options.init);
      } catch (error) {
        throw initNotCloneable(error);
      }
    }
    this.refill();
  }

  // ---- accepting and assigning work ----

  /** Can a task be handed to a worker now (an existing one, or one that may be started)? */
  hasFreeSlot(): boolean {
    if (this.canSpawn()) return true;
    for (const w of this.workers) if (w.free() > 0) return true;
    return false;
  }

  accept(task: Task): void {
    if (this.#reserved > 0) this.#reserved--;
    if (this.queue.size === 0 && this.#tryAssign(task)) return;
    this.queue.push(task);
    this.pump();
  }

  #tryAssign(task: Task): boolean {
    if (task.sink && !task.longStream && this.#streamNames.has(task.name)) task.longStream = true;
    const w = (task.longStream ? pickStreamWorker(this.workers) : pickWorker(this.workers, task.suspect)) ?? (this.canSpawn() ? this.spawnWorker() : undefined);
    if (!w) return false;
    this.#assign(w, task);
    return true;
  }

  /** Move queued tasks to workers with room; when the queue is empty, rebalance what was sent ahead. */
  pump(): void {
    while (this.queue.size > 0) {
      const task = this.queue.shift() as Task;
      if (!this.#tryAssign(task)) {
        this.queue.unshift(task);
        break;
      }
    }
    if (this.queue.size === 0) this.#balance();
    this.#wakeCapacityWaiters();
    if (this.closing) this.finishIfDrained();
  }

  #assign(w: PoolWorker, task: Task): void {
    task.worker = w;
    if (w.inflight.length === 0) {
      w.busySince = now();
      if (!w.referenced) {
        w.referenced = true;
        w.transport.ref?.();
      }
      w.idleTimer = cancelTimer(w.idleTimer);
    }
    w.inflight.push(task);
    w.assigned++;
    if (task.suspect) w.exclusive = true;
    if (w.assigned >= w.maxTasks) w.retiring = true;
    this.inflight.set(task.id, task);
    const slot = w.slots ? w.slots.take(task.id) : -1;
    task.slot = slot;
    let msg: ToWorker;
    if (slot < 0)
      msg = task.chunk ? { t: 'run', id: task.id, name: task.name, args: task.args, c: 1 } : { t: 'run', id: task.id, name: task.name, args: task.args };
    else
      msg = task.chunk
        ? { t: 'run', id: task.id, name: task.name, args: task.args, c: 1, s: slot }
        : { t: 'run', id: task.id, name: task.name, args: task.args, s: slot };
    if (task.sink) msg = streamMessage(task, slot);
    if (task.longStream) this.#markStreaming(w, task);
    this.#send(w, msg, task.transfer);
    if (w.state === 'ready' && w.inflight.length <= w.concurrency) this.#reachedSlot(task);
  }

  /**
   * Take back tasks sent ahead to a busy worker for a worker that can run them
   * now. Only tasks the busy worker has not claimed move (see claims.ts).
   */
  #balance(): void {
    for (const thief of this.workers) {
      // Tasks sent ahead first; else, for a worker with nothing to do, tasks waiting in the running
      // slots of a worker whose thread is busy (a long synchronous task beside them).
      const ahead = planSteal(thief, this.workers);
      const plan = ahead ?? planRescue(thief, this.workers);
      if (!plan) continue;
      const { victim, count } = plan;
      const slots = victim.slots;
      if (!slots) continue;
      const floor = ahead ? victim.concurrency : 0;
      const taken: Task[] = [];
      for (let i = victim.inflight.length - 1; i >= floor && taken.length < count; i--) {
        const t = victim.inflight[i] as Task;
        if (t.slot < 0 || !slots.revoke(t.slot, t.id)) break;
        taken.push(t);
      }
      for (const t of taken) {
        this.#detach(t);
        victim.assigned--;
      }
      for (let k = taken.length - 1; k >= 0; k--) this.#assign(thief, taken[k] as Task);
    }
  }

  // ---- streams ----

  /**
   * `task` is a stream running on `w`: count it, so that nothing is sent ahead
   * to `w` while it runs, and take back what was sent ahead behind it (a task
   * of the typed proxy is known to be a stream only once it runs).
   */
  #markStreaming(w: PoolWorker, task: Task): void {
    if (task.streaming) return;
    task.streaming = true;
    w.streams++;
    const slots = w.slots;
    if (!slots || w.inflight.length <= w.concurrency) return;
    const taken: Task[] = [];
    for (let i = w.inflight.length - 1; i >= w.concurrency; i--) {
      const t = w.inflight[i] as Task;
      if (t === task || !slots.revoke(t.slot, t.id)) continue;
      taken.push(t);
    }
    for (const t of taken) {
      this.#detach(t);
      w.assigned--;
      this.queue.unshift(t);
    }
    if (taken.length > 0) queueMicrotask(() => this.pump());
  }

  /** The consumer of stream `task` took `n` items: let its generator produce `n` more. */
  pull(task: Task, n: number): void {
    const w = task.worker;
    if (!w || w.state === 'dead' || task.future.done()) return;
    this.#send(w, { t: 'pull', id: task.id, n });
    if (task.idleWatched && task.idleTimer === undefined) this.#checkIdle(task, task.sink?.idleTimeout ?? 0);
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

  /** A message could not be serialized: a run message fails its task alone; a start message fails the worker's start. */
  #postFailed = (w: PoolWorker, msg: ToWorker, error: unknown): void => {
    if (msg.t === 'start') {
      this.startFailed(w, initNotCloneable(error), 'load');
      return;
    }
    if (msg.t !== 'run') return;
    const task = this.inflight.get(msg.id);
    if (!task || task.worker !== w) return;
    this.#finish(task);
    this.#settle(task, 'rejected', serializationFailure('argument', task.name, task.args, error));
    this.#afterRelease(w);
  };

  // ---- messages in ----

  protected override onMessages(w: PoolWorker, batch: FromWorker[], exit: (info: { exitCode?: number }) => void): void {
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
          if (msg.t === 'ok') this.#settle(task, 'fulfilled', msg.value);
          else this.#settle(task, 'rejected', decodeError(msg.error));
          break;
        }
        // ---- streams and progress ----
        case 'stream': {
          const task = this.inflight.get(msg.id);
          if (!task?.sink || task.worker !== w) break;
          task.sink.streaming = true;
          this.#streamNames.add(task.name);
          this.#markStreaming(w, task);
          break;
        }
        case 'yield': {
          const task = this.inflight.get(msg.id);
          if (task?.worker === w && !task.future.done()) task.sink?.push(msg.value);
          break;
        }
        case 'yields': {
          const task = this.inflight.get(msg.id);
          if (task?.worker === w && !task.future.done()) task.sink?.pushAll(msg.values);
          break;
        }
        case 'progress': {
          const task = this.inflight.get(msg.id);
          if (task?.worker === w && task.onProgress && !task.future.done()) callProgress(task.onProgress, msg.value);
          break;
        }
        // ---- end streams and progress ----
        case 'hello':
          if (msg.v !== PROTOCOL_VERSION) {
            this.startFailed(
              w,
              new WorkerInitError(
                `The worker speaks protocol v${msg.v}, the executor v${PROTOCOL_VERSION}: install matching versions of the @offload packages.`,
              ),
              'load',
            );
            return;
          }
          w.helloed = true;
          w.outbox.unshift(
            w.slots
              ? { t: 'start', v: PROTOCOL_VERSION, init: this.options.init, concurrency: w.concurrency, claims: w.slots.buffer }
              : { t: 'start', v: PROTOCOL_VERSION, init: this.options.init, concurrency: w.concurrency },
          );
          this.#flushWorker(w);
          break;
        case 'ready':
          this.workerReady(w);
          this.#timeRunning(w);
          this.pump();
          break;
        case 'fatal':
          this.startFailed(w, fatalError(msg, w.transport.loadHint), msg.phase === 'load' ? 'load' : 'init');
          return;
        case 'bye':
          // The worker ended itself (close() gives no code: it is a clean end, as parentPort.close() is on Node):
          // its own doing, so a worker that does so while starting is not started again and again.
          exit({ exitCode: msg.code ?? 0 });
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
    if (w.inflight.length === 0) {
      w.exclusive = false;
      if (w.retiring) this.stopWorker(w, true);
      else if (this.queue.size === 0) this.becameIdle(w);
    }
    this.pump();
  }

  /** Tasks that just reached a running slot of a ready worker: start their timeout clock. */
  #timeRunning(w: PoolWorker): void {
    if (w.state !== 'ready') return;
    const n = Math.min(w.inflight.length, w.concurrency);
    for (let i = 0; i < n; i++) this.#reachedSlot(w.inflight[i] as Task);
  }

  #reachedSlot(task: Task): void {
    if (task.timeout > 0 && !task.timing && !task.future.done()) this.#startTiming(task);
    const sink = task.sink;
    if (sink && sink.idleTimeout > 0 && !task.idleWatched && !task.future.done()) {
      task.idleWatched = true;
      sink.activeAt = now();
      this.#checkIdle(task, sink.idleTimeout);
    }
  }

  /** Take a task off its worker and stop its clock; it may be queued again. */
  #detach(task: Task): void {
    this.inflight.delete(task.id);
    task.timer = cancelTimer(task.timer);
    task.timing = false;
    if (task.idleWatched) {
      task.idleTimer = cancelTimer(task.idleTimer);
      task.idleWatched = false;
    }
    task.stopBy = 0;
    task.worker?.release(task);
  }

  /** Clear a task's timers and listeners and take it off its worker: it is settled. */
  #finish(task: Task): void {
    this.#detach(task);
    if (task.signal) this.aborts.delete(task.signal, task);
  }

  /** Settle a task's Future and count the outcome, once. */
  #settle(task: Task, outcome: Outcome, value: unknown, timedOut = false): void {
    if (!settleFuture(task.future, outcome, value)) return;
    if (outcome === 'fulfilled') this.#counts.completed++;
    else if (outcome === 'cancelled') this.#counts.cancelled++;
    else {
      this.#counts.failed++;
      if (timedOut) this.#counts.timedOut++;
    }
  }

  // ---- lifecycle hooks ----

  protected override failTask(task: Task, error: OffloadError | unknown): void {
    this.#finish(task);
    this.#settle(task, 'rejected', error);
  }

  protected override finishTask(task: Task): void {
    this.#finish(task);
  }

  protected override detachTask(task: Task): void {
    this.#detach(task);
  }

  protected override sendClose(w: PoolWorker): void {
    this.#send(w, { t: 'close' });
  }

  protected override afterExit(): void {
    this.pump();
  }

  protected override failQueue(error: WorkerInitError): void {
    for (const task of this.queue.drain()) this.failTask(task, error);
    this.#wakeCapacityWaiters();
  }

  // ---- timeouts and cancellation ----

  #startTiming(task: Task): void {
    task.timing = true;
    const timeout = task.timeout;
    task.timer = after(timeout, () => {
      task.timer = undefined;
      this.#settle(task, 'rejected', new TimeoutError(timeout), true);
      this.#stopTask(task, new TimeoutError(timeout));
    });
  }

  /**
   * Check a stream's `idleTimeout` in `delay` ms: it expires when no item came
   * for that long while the generator had credit. A generator paused by a slow
   * consumer is not idle: its clock restarts with the next credit (see `pull`).
   */
  #checkIdle(task: Task, delay: number): void {
    task.idleTimer = after(delay, () => {
      task.idleTimer = undefined;
      const sink = task.sink;
      if (!sink || !task.idleWatched || task.future.done() || sink.paused()) return;
      const limit = sink.idleTimeout;
      const idle = now() - sink.activeAt;
      if (idle < limit) {
        this.#checkIdle(task, Math.max(1, Math.ceil(limit - idle)));
        return;
      }
      const error = new TimeoutError(
        limit,
        `The stream produced no item for its idleTimeout of ${limit} ms and was stopped. Raise \`idleTimeout\` or yield more often.`,
      );
      this.#settle(task, 'rejected', error, true);
      this.#stopTask(task, error);
    });
  }

  /** Called by a Future's `cancel()` (it has already settled as cancelled). */
  cancel(task: Task, _reason: CancelledError): void {
    this.#counts.cancelled++;
    // A cancelled stream hands out no more items, not even those already received.
    task.sink?.clear();
    if (this.queue.remove(task)) {
      this.#finish(task);
      this.#wakeCapacityWaiters();
      if (this.closing) this.finishIfDrained();
      return;
    }
    this.#stopTask(task, _reason);
  }

  /** Whether the worker has started the task (Future.running()). */
  started(task: Task): boolean {
    return task.worker?.started(task) ?? false;
  }

  /**
   * Stop a task that is on a worker: take it back if the worker has not started
   * it, otherwise abort its signal and terminate the worker if it has not
   * stopped after the grace period.
   */
  #stopTask(task: Task, reason: Error): void {
    const w = task.worker;
    if (!w || w.state === 'dead') {
      this.#finish(task);
      return;
    }
    const unsent = w.outbox.findIndex((m) => m.t === 'run' && m.id === task.id);
    if (unsent >= 0 || (task.slot >= 0 && w.slots?.revoke(task.slot, task.id))) {
      if (unsent >= 0) w.outbox.splice(unsent, 1);
      this.#finish(task);
      w.assigned--;
      this.#afterRelease(w);
      return;
    }
    task.timer = cancelTimer(task.timer);
    if (task.signal) this.aborts.delete(task.signal, task);
    task.stopBy = now() + this.options.cancelGrace;
    this.#send(w, { t: 'cancel', id: task.id, reason: { name: reason.name, message: reason.message } });
    this.watchStuck(w);
  }

  // ---- capacity, shutdown, stats ----

  /** Tasks that can be accepted now without QueueFullError. */
  #room(): number {
    const o = this.options;
    let room = Math.max(0, o.maxQueue - this.queue.size);
    if (room === Number.POSITIVE_INFINITY) return room;
    for (const w of this.workers) room += Math.max(0, w.free());
    if (this.canSpawn()) room += (o.maxWorkers - this.workers.length) * o.concurrentTasksPerWorker;
    return room - this.#reserved;
  }

  capacity(): Promise<void> {
    if (this.closing || (this.#capacityWaiters.length === 0 && this.#room() > 0)) {
      this.#reserve(1);
      return Promise.resolve();
    }
    return new Promise((r) => this.#capacityWaiters.push(r));
  }

  /** Hold capacity for woken callers until they submit (or until the next macrotask). */
  #reserve(n: number): void {
    this.#reserved += n;
    this.#reserveTimer ??= setTimeout(() => {
      this.#reserveTimer = undefined;
      this.#reserved = 0;
      this.#wakeCapacityWaiters();
    }, 0);
  }

  #wakeCapacityWaiters(): void {
    const waiters = this.#capacityWaiters;
    if (waiters.length === 0) return;
    let room = this.closing ? waiters.length : this.#room();
    while (room > 0 && waiters.length > 0) {
      room--;
      this.#reserve(1);
      waiters.shift()?.();
    }
  }

  shutdown(cancelPending: boolean, cancelRunning: boolean): Promise<void> {
    this.closing = true;
    if (cancelPending || cancelRunning) {
      const why = new CancelledError('The executor was shut down before the task started.');
      for (const t of this.queue.drain()) {
        this.#finish(t);
        this.#settle(t, 'cancelled', why);
      }
      // Tasks sent ahead to a busy worker and not started yet are pending too.
      for (const w of [...this.workers]) for (const t of w.inflight.slice(w.concurrency)) if (!w.started(t)) t.future.cancel(why);
    }
    if (cancelRunning) {
      for (const t of [...this.inflight.values()]) t.future.cancel(new CancelledError('The executor was shut down while the task was running.'));
    }
    this.#wakeCapacityWaiters();
    this.finishIfDrained();
    return Promise.resolve();
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
      crashedWorkers: this.crashedWorkers,
      spawnedWorkers: this.spawnedWorkers,
    };
  }
}

/** The `stream` message of a task sent as a stream. */
function streamMessage(task: Task, slot: number): ToWorker {
  const hwm = task.sink?.hwm ?? 1;
  return slot < 0
    ? { t: 'stream', id: task.id, name: task.name, args: task.args, hwm }
    : { t: 'stream', id: task.id, name: task.name, args: task.args, hwm, s: slot };
}

/** Call an `onProgress` callback; what it throws is re-thrown in a microtask (reported like an uncaught error) so it cannot break the executor. */
function callProgress(onProgress: (value: unknown) => void, value: unknown): void {
  try {
    onProgress(value);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

function initNotCloneable(cause: unknown): SerializationError {
  const detail = messageOf(cause);
  return new SerializationError(
    `The executor option "init" cannot be sent to a worker: ${detail} Pass plain data (structured-cloneable values) as init arguments.`,
    { cause },
  );
}
