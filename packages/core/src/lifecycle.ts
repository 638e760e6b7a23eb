/**
 * The workers' lifecycle, under the scheduler: starting them, keeping
 * `minWorkers`, retrying a failed start with a bounded backoff, idling,
 * recycling, terminating a worker stuck in a cancelled task, and recovering
 * from exits and crashes. The scheduler ({@link Dispatcher}) extends it and
 * supplies what happens to tasks.
 * @module
 */

import { batchReceiver } from './batch.js';
import { ClaimSlots, MAX_CLAIM_SLOTS } from './claims.js';
import { textOf } from './describe.js';
import { type OffloadError, WorkerCrashedError, WorkerInitError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { MAX_PREFETCH, PoolWorker, type Task } from './pool-worker.js';
import { type FromWorker, readFromWorker } from './protocol.js';
import type { TaskQueue } from './queue.js';
import { after, cancelTimer, now, type Timer } from './timers.js';
import type { Spawn } from './transport.js';

/** Why a worker failed to start. `died` (killed or exited without saying why) is retried; the others fail fast. */
export type StartFailure = 'load' | 'init' | 'timeout' | 'died';

/** Consecutive failed starts (with no worker left) after which the queue is failed even for `died`. */
const MAX_START_ATTEMPTS = 10;
const BACKOFF_BASE_MS = 25;
const BACKOFF_MAX_MS = 2000;
/** Least time a worker asked to `close` gets to deliver its output and exit before it is terminated. */
const CLOSE_GRACE_MS = 2000;

type ExitInfo = { error?: unknown; exitCode?: number; signal?: string; stderr?: string };

/** Worker lifecycle; see the module comment. */
export abstract class Lifecycle {
  readonly workers: PoolWorker[] = [];
  abstract readonly queue: TaskQueue<Task>;
  closing = false;
  readonly drained: Promise<void>;
  crashedWorkers = 0;
  spawnedWorkers = 0;
  #resolveDrained!: () => void;
  #nextWorkerId = 1;
  /** Failed starts since a worker last became ready. */
  #startFailures = 0;
  /** No new worker before this time (backoff after a failed start). */
  #spawnAfter = 0;
  #respawnTimer: Timer;
  /** The queue was failed because no worker could start: do not respawn to keep minWorkers until one does. */
  #startBroken = false;

  constructor(
    readonly spawn: Spawn,
    readonly options: ResolvedOptions,
  ) {
    this.drained = new Promise((r) => {
      this.#resolveDrained = r;
    });
  }

  protected abstract onMessages(w: PoolWorker, batch: FromWorker[], exit: (info: { exitCode?: number }) => void): void;
  /** Reject a task (it is settled and taken off its worker). */
  protected abstract failTask(task: Task, error: OffloadError | unknown): void;
  /** A task already settled: take it off its worker. */
  protected abstract finishTask(task: Task): void;
  /** Take a task off its worker; it will be queued again. */
  protected abstract detachTask(task: Task): void;
  /** Reject every queued task. */
  protected abstract failQueue(error: WorkerInitError): void;
  /** Ask a worker to finish and end itself (protocol `close`). */
  protected abstract sendClose(w: PoolWorker): void;
  /** A worker is gone and its tasks are back in the queue or settled. */
  protected abstract afterExit(): void;

  /** May another worker be started now? */
  canSpawn(): boolean {
    return this.workers.length < this.options.maxWorkers && (this.#spawnAfter === 0 || now() >= this.#spawnAfter);
  }

  /** Workers that are not on their way out. */
  serving(): number {
    let n = 0;
    for (const w of this.workers) if (!w.retiring) n++;
    return n;
  }

  /** Start workers until `minWorkers` serve, never above `maxWorkers`. */
  refill(): void {
    if (this.closing || this.#startBroken) return;
    while (this.serving() < this.options.minWorkers && this.canSpawn()) this.spawnWorker();
  }

  spawnWorker(): PoolWorker {
    const o = this.options;
    const w = new PoolWorker(this.#nextWorkerId++, o.concurrentTasksPerWorker, o.maxTasksPerWorker);
    this.workers.push(w);
    this.spawnedWorkers++;
    let exited = false;
    const exit = (info: ExitInfo): void => {
      if (exited) return;
      exited = true;
      this.#onExit(w, info);
    };
    try {
      // Foreign data is ignored; a malformed protocol batch stops the worker as crashed, with the ProtocolError as cause.
      const message = batchReceiver(
        readFromWorker,
        (batch) => this.onMessages(w, batch, exit),
        (error) => {
          exit({ error });
          void Promise.resolve(w.transport.terminate()).catch(() => {});
        },
      );
      w.transport = this.spawn({ message, exit }, { workerId: w.id });
    } catch (thrown) {
      w.transport = { post() {}, terminate() {} };
      // The backend (or a user's Worker factory) said why it could not start one: a load failure, whatever it threw.
      const error = thrown instanceof Error ? thrown : new WorkerInitError(`The worker could not be created: ${textOf(thrown)}`, { cause: thrown });
      queueMicrotask(() => exit({ error }));
      return w;
    }
    if (w.transport.sharedMemory) w.slots = new ClaimSlots(MAX_PREFETCH + Math.min(w.concurrency, MAX_CLAIM_SLOTS));
    w.startTimer = after(
      o.startTimeout,
      () => {
        if (w.state !== 'starting') return;
        const hint = w.helloed ? 'its init function did not finish' : 'check that the task module calls expose()';
        this.startFailed(w, new WorkerInitError(`The worker did not start within ${o.startTimeout} ms: ${hint}, or raise startTimeout.`), 'timeout');
      },
      true,
    );
    return w;
  }

  /** A worker said it is ready. */
  workerReady(w: PoolWorker): void {
    w.state = 'ready';
    w.startTimer = cancelTimer(w.startTimer);
    this.#startFailures = 0;
    this.#spawnAfter = 0;
    this.#startBroken = false;
  }

  /**
   * Stop a worker on purpose; its tasks that have not settled go back to the
   * queue. `graceful` (shutdown, idle timeout, recycling) asks a worker that
   * holds no task to end itself with `close`, so that it delivers its
   * stdout/stderr first, and terminates it only if it has not exited within
   * max(cancelGrace, 2000 ms). Otherwise (cancel, timeout, stuck task, failed
   * start) it is terminated at once, and only once.
   */
  stopWorker(w: PoolWorker, graceful = false): void {
    if (w.state === 'dead' || w.stopping) return;
    w.expected = true;
    w.retiring = true;
    if (!w.referenced) {
      w.referenced = true;
      w.transport.ref?.();
    }
    if (graceful && w.helloed && w.inflight.length === 0) {
      if (w.closeSent) return;
      w.closeSent = true;
      this.sendClose(w);
      w.closeTimer = after(Math.max(this.options.cancelGrace, CLOSE_GRACE_MS), () => this.stopWorker(w), true);
      return;
    }
    w.stopping = true;
    void Promise.resolve(w.transport.terminate()).catch(() => {});
  }

  /** A worker could not start: remember why, and stop it; `#onExit` decides what follows. */
  startFailed(w: PoolWorker, error: WorkerInitError | OffloadError, kind: StartFailure): void {
    if (w.state !== 'starting' || w.startError) return;
    w.startError = { error, kind };
    this.stopWorker(w);
  }

  becameIdle(w: PoolWorker): void {
    if (w.referenced) {
      w.referenced = false;
      w.transport.unref?.();
    }
    if (this.closing) return;
    const o = this.options;
    if (this.serving() > o.minWorkers) {
      w.idleTimer = after(
        o.idleTimeout,
        () => {
          w.idleTimer = undefined;
          if (w.inflight.length === 0 && this.serving() > o.minWorkers) this.stopWorker(w, true);
        },
        true,
      );
    }
  }

  /** Give cancelled or timed-out running tasks their grace period, then terminate the worker if one still runs. */
  watchStuck(w: PoolWorker): void {
    if (w.graceTimer || w.state === 'dead') return;
    let first = Number.POSITIVE_INFINITY;
    for (const t of w.inflight) if (t.stopBy > 0 && t.stopBy < first) first = t.stopBy;
    if (first === Number.POSITIVE_INFINITY) return;
    w.graceTimer = after(Math.max(0, first - now()), () => {
      w.graceTimer = undefined;
      if (w.state === 'dead') return;
      const t = now();
      for (const task of w.inflight) {
        if (task.stopBy > 0 && task.stopBy <= t + 1 && w.started(task)) {
          this.stopWorker(w);
          return;
        }
      }
      this.watchStuck(w);
    });
  }

  /** Resolve `drained` once nothing is queued and every worker is gone; stop idle workers. */
  finishIfDrained(): void {
    if (this.queue.size > 0) return;
    for (const w of this.workers) if (w.inflight.length === 0) this.stopWorker(w, true);
    if (this.workers.length === 0) {
      this.#respawnTimer = cancelTimer(this.#respawnTimer);
      this.#resolveDrained();
    }
  }

  #onExit(w: PoolWorker, info: ExitInfo): void {
    const wasStarting = w.state === 'starting';
    const ran = new Set<Task>();
    for (const t of w.inflight) if (w.started(t)) ran.add(t);
    /** Streams that ran: their items were delivered, so they cannot run again; they fail with their worker. */
    const lost = new Set<Task>();
    for (const t of ran) if (t.streaming) lost.add(t);
    w.state = 'dead';
    w.idleTimer = cancelTimer(w.idleTimer);
    w.startTimer = cancelTimer(w.startTimer);
    w.graceTimer = cancelTimer(w.graceTimer);
    w.closeTimer = cancelTimer(w.closeTimer);
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
    const pending: Task[] = [];
    for (const t of w.inflight.slice()) {
      if (t.future.done()) this.finishTask(t);
      else {
        this.detachTask(t);
        pending.push(t);
      }
    }
    if (wasStarting && (w.startError || !w.expected)) {
      // It never ran anything: its tasks wait for another worker.
      for (let k = pending.length - 1; k >= 0; k--) this.queue.unshift(pending[k] as Task);
      const failure = w.startError ?? classifyStartExit(w, info);
      this.#startFailure(failure.error, failure.kind);
    } else if (!w.expected) {
      this.crashedWorkers++;
      // The tasks that were running (a cancelled or timed-out one may still be) are the suspects.
      const culprits = [...ran];
      if (culprits.length === 1 && !(culprits[0] as Task).future.done()) {
        const code = info.exitCode !== undefined ? ` (exit code ${info.exitCode})` : info.signal ? ` (${info.signal})` : '';
        const why = info.error instanceof Error ? `: ${info.error.message}` : '';
        const task = culprits[0] as Task;
        for (let k = pending.length - 1; k >= 0; k--) if (pending[k] !== task) this.queue.unshift(pending[k] as Task);
        this.failTask(
          task,
          new WorkerCrashedError(`The worker died while running task "${task.name}"${code}${why}. It has been replaced.`, {
            cause: info.error,
            exitCode: info.exitCode,
          }),
        );
      } else {
        // Several tasks were running: run each again alone, so only the one that kills its worker fails.
        // Tasks the worker had not started go back as they were.
        for (let k = pending.length - 1; k >= 0; k--) {
          const t = pending[k] as Task;
          if (lost.has(t)) {
            this.failTask(t, streamLost(t, info));
            continue;
          }
          if (culprits.length > 1 && ran.has(t)) t.suspect = true;
          this.queue.unshift(t);
        }
      }
    } else {
      for (let k = pending.length - 1; k >= 0; k--) {
        const t = pending[k] as Task;
        if (lost.has(t)) this.failTask(t, streamLost(t, info));
        else this.queue.unshift(t);
      }
    }
    this.refill();
    this.afterExit();
    if (this.closing) this.finishIfDrained();
  }

  /**
   * A start failed. While another worker lives, it serves the queue and the
   * next start waits (briefly after a worker that died, longer after one that
   * cannot load or init). With no worker left, a deterministic failure (or
   * too many in a row) fails the queue; otherwise a new worker starts after a
   * bounded backoff.
   */
  #startFailure(error: OffloadError, kind: StartFailure): void {
    this.#startFailures++;
    const deterministic = kind !== 'died';
    if (this.workers.length === 0 && (deterministic || this.#startFailures >= MAX_START_ATTEMPTS)) {
      this.#startBroken = true;
      this.#startFailures = 0;
      this.#spawnAfter = 0;
      this.failQueue(error instanceof WorkerInitError ? error : new WorkerInitError(error.message, { cause: error }));
      return;
    }
    const delay = deterministic ? BACKOFF_MAX_MS : Math.min(BACKOFF_BASE_MS * 2 ** (this.#startFailures - 1), BACKOFF_MAX_MS);
    this.#spawnAfter = now() + delay;
    this.#respawnTimer = cancelTimer(this.#respawnTimer);
    this.#respawnTimer = after(delay, () => {
      this.#respawnTimer = undefined;
      // A timer may fire a little before performance.now() reaches the deadline: the wait is over.
      this.#spawnAfter = 0;
      this.refill();
      this.afterExit();
    });
  }
}

/** The error of a stream whose worker ended while it ran. */
function streamLost(task: Task, info: ExitInfo): WorkerCrashedError {
  const code = info.exitCode !== undefined ? ` (exit code ${info.exitCode})` : info.signal ? ` (${info.signal})` : '';
  return new WorkerCrashedError(`The worker running stream "${task.name}" ended${code} before the stream did.`, {
    cause: info.error,
    exitCode: info.exitCode,
  });
}

/** What a starting worker was doing: it says hello once its task module has loaded, then runs `init`. */
const starting = (w: PoolWorker): string => (w.helloed ? 'its init function ran' : 'loading the task module');

/** What an unexpected exit of a starting worker means. */
function classifyStartExit(w: PoolWorker, info: ExitInfo): { error: WorkerInitError; kind: StartFailure } {
  // An exit with a code of its own (no signal) before the worker started is the module's doing: loading it again fails again.
  if (info.error instanceof Error || (info.exitCode !== undefined && !info.signal)) {
    const why =
      info.error instanceof Error
        ? info.error.message
        : info.exitCode === 0 && !w.helloed
          ? 'it ended (exit code 0) without calling expose(): export const tasks = expose({ ... }) in the task module'
          : info.stderr
            ? `it exited with code ${info.exitCode} while ${starting(w)}. Its stderr:\n${info.stderr}`
            : `it exited with code ${info.exitCode} while ${starting(w)} (see its stderr)`;
    return { error: new WorkerInitError(`The worker could not start the task module: ${why}`, { cause: info.error }), kind: 'load' };
  }
  const code = info.exitCode !== undefined ? `exit code ${info.exitCode}` : info.signal ? `signal ${info.signal}` : 'no exit code';
  return { error: new WorkerInitError(`The worker exited while starting (${code}) and could not be restarted.`, { cause: info.error }), kind: 'died' };
}
