/**
 * Every error Offload raises extends {@link OffloadError} and carries a stable
 * `code`, so callers can branch on `err.code` instead of parsing messages.
 * @module
 */

/** Stable codes of the errors Offload raises. */
export type OffloadErrorCode =
  | 'ERR_OFFLOAD_CANCELLED'
  | 'ERR_OFFLOAD_TIMEOUT'
  | 'ERR_OFFLOAD_WORKER_CRASHED'
  | 'ERR_OFFLOAD_WORKER_INIT'
  | 'ERR_OFFLOAD_SHUTDOWN'
  | 'ERR_OFFLOAD_QUEUE_FULL'
  | 'ERR_OFFLOAD_TASK_NOT_FOUND'
  | 'ERR_OFFLOAD_SERIALIZATION'
  | 'ERR_OFFLOAD_INVALID_ARGUMENT'
  | 'ERR_OFFLOAD_PROTOCOL';

/** Base class of every error raised by Offload itself (not by your task code). */
export class OffloadError extends Error {
  /** Stable machine-readable code. */
  readonly code: OffloadErrorCode;
  constructor(code: OffloadErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
  /**
   * The class name, written out as a literal in each class so that it survives
   * minifiers (it picks the class when an error comes back from a worker). A
   * subclass of your own that does not override it reports its constructor's name.
   */
  override get name(): string {
    return this.constructor === OffloadError ? 'OffloadError' : this.constructor.name;
  }
}

/** The Future was cancelled: by `cancel()`, an aborted signal, `break` in `map` or in a stream, or `shutdown({ cancelPending })` / `shutdown({ cancelRunning })`. */
export class CancelledError extends OffloadError {
  override get name(): string {
    return 'CancelledError';
  }
  constructor(message = 'The task was cancelled.', options?: { cause?: unknown }) {
    super('ERR_OFFLOAD_CANCELLED', message, options);
  }
}

/**
 * The task ran longer than its `timeout` (running time only, queue time is not counted).
 * Also ends a stream whose generator produced nothing for its `idleTimeout`, and is
 * thrown by `asCompleted()` when futures are still pending at its `timeout`.
 */
export class TimeoutError extends OffloadError {
  override get name(): string {
    return 'TimeoutError';
  }
  /** The limit that was exceeded, in milliseconds. */
  readonly timeout: number;
  constructor(timeout: number, message = `The task ran longer than its timeout of ${timeout} ms and was stopped. Raise \`timeout\` or split the work.`) {
    super('ERR_OFFLOAD_TIMEOUT', message);
    this.timeout = timeout;
  }
}

/**
 * The worker died while running the task (process.exit, uncaught error, out of
 * memory, killed from outside). The pool replaces the worker and keeps going.
 */
export class WorkerCrashedError extends OffloadError {
  override get name(): string {
    return 'WorkerCrashedError';
  }
  /** Exit code of the worker when the runtime reports one. */
  readonly exitCode: number | undefined;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super('ERR_OFFLOAD_WORKER_CRASHED', message, options);
    this.exitCode = options?.exitCode;
  }
}

/**
 * A worker could not start: the task module failed to load, threw at top level,
 * never called `expose()`, its `init` function failed, or it missed `startTimeout`.
 * While another worker runs, the waiting tasks go to it; when no worker can start,
 * they are rejected with this error instead of waiting for a respawn loop.
 */
export class WorkerInitError extends OffloadError {
  override get name(): string {
    return 'WorkerInitError';
  }
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_OFFLOAD_WORKER_INIT', message, options);
  }
}

/**
 * `submit()`, `stream()`, `map()` or the typed proxy was called after `shutdown()`. (Tasks
 * accepted before it run to the end, or are cancelled with {@link CancelledError} by
 * `shutdown({ cancelPending })`.)
 */
export class ExecutorShutdownError extends OffloadError {
  override get name(): string {
    return 'ExecutorShutdownError';
  }
  constructor(message = 'The executor has been shut down; create a new executor to submit more work.') {
    super('ERR_OFFLOAD_SHUTDOWN', message);
  }
}

/** The queue already holds `maxQueue` tasks. Await `executor.capacity()` before submitting more. */
export class QueueFullError extends OffloadError {
  override get name(): string {
    return 'QueueFullError';
  }
  readonly maxQueue: number;
  constructor(maxQueue: number) {
    super('ERR_OFFLOAD_QUEUE_FULL', `The queue is full (maxQueue = ${maxQueue}). Await executor.capacity() before submitting, or raise maxQueue.`);
    this.maxQueue = maxQueue;
  }
}

/** The task module does not expose a task of that name. */
export class TaskNotFoundError extends OffloadError {
  override get name(): string {
    return 'TaskNotFoundError';
  }
  readonly taskName: string;
  constructor(taskName: string, available: readonly string[]) {
    super(
      'ERR_OFFLOAD_TASK_NOT_FOUND',
      `No task named "${taskName}" is exposed by the task module. Exposed tasks: ${available.length ? available.join(', ') : '(none)'}.`,
    );
    this.taskName = taskName;
  }
}

/** An argument or a result cannot cross the worker boundary (structured clone failed). */
export class SerializationError extends OffloadError {
  override get name(): string {
    return 'SerializationError';
  }
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_OFFLOAD_SERIALIZATION', message, options);
  }
}

/** An option or argument passed to Offload is invalid; the message says which and how to fix it. */
export class InvalidArgumentError extends OffloadError {
  override get name(): string {
    return 'InvalidArgumentError';
  }
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_OFFLOAD_INVALID_ARGUMENT', message, options);
  }
}

/** The two sides disagree on the wire protocol (for example mixed package versions). */
export class ProtocolError extends OffloadError {
  override get name(): string {
    return 'ProtocolError';
  }
  constructor(message: string) {
    super('ERR_OFFLOAD_PROTOCOL', message);
  }
}

/**
 * Offload error classes by their literal `name`, used to re-create them when they
 * cross a boundary. Keyed by the name each class reports, so the two cannot drift.
 */
export const offloadErrorClasses: Record<string, new (...args: never[]) => OffloadError> = Object.fromEntries(
  [
    OffloadError,
    CancelledError,
    TimeoutError,
    WorkerCrashedError,
    WorkerInitError,
    ExecutorShutdownError,
    QueueFullError,
    TaskNotFoundError,
    SerializationError,
    InvalidArgumentError,
    ProtocolError,
  ].map((cls) => [cls.prototype.name, cls]),
);
