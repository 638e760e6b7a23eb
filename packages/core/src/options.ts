/**
 * Option and type definitions shared by every backend.
 * @module
 */
import { messageOf, textOf } from './describe.js';
import { InvalidArgumentError } from './errors.js';

/**
 * A module's exposed tasks: plain functions, sync or async. `never[]` is the
 * parameter list every function is assignable to, so any task fits; the
 * argument types callers see come from the task itself (see {@link TaskArgs}).
 */
export type TaskMap = Record<string, (...args: never[]) => unknown>;

/** A value returned together with the buffers to move instead of copy. See `transfer()`. */
export interface Transferred<V> {
  readonly value: V;
  readonly transfer: Transferable[];
}

/** Names of the tasks in a task map. */
export type TaskName<T> = keyof T & string;
/**
 * `unknown[]` for the open parameter list `never[]` of an untyped {@link TaskMap}
 * (any arguments can be sent), the list itself otherwise. A task without
 * parameters has `[]`, whose length is `0`, not `number`.
 */
type OpenArgs<A extends unknown[]> = [A] extends [never[]] ? (number extends A['length'] ? unknown[] : A) : A;

/** Argument list of task `K`. On an untyped executor (`Executor<TaskMap>`), any list. */
export type TaskArgs<T, K extends keyof T> = T[K] extends (...args: infer A) => unknown ? OpenArgs<A> : never;
/** Result of task `K`, after awaiting it and unwrapping `transfer()`. */
export type TaskResult<T, K extends keyof T> = T[K] extends (...args: never[]) => infer R ? (Awaited<R> extends Transferred<infer V> ? V : Awaited<R>) : never;

/** Item type of a yielded value, after unwrapping `transfer()`. */
type Unwrap<Y> = Y extends Transferred<infer V> ? V : Y;
/**
 * What `executor.stream()` yields for task `K`: the items of a (sync or async)
 * generator task, or the one result of any other task.
 */
export type StreamItem<T, K extends keyof T> = T[K] extends (...args: never[]) => infer R
  ? R extends Generator<infer Y, unknown, unknown> | AsyncGenerator<infer Y, unknown, unknown>
    ? Unwrap<Y>
    : TaskResult<T, K>
  : never;
/** True when task `K` is a generator function (it returns a Generator or an AsyncGenerator). */
export type IsStreamTask<T, K extends keyof T> = T[K] extends (...args: never[]) => infer R
  ? [R] extends [never]
    ? false
    : R extends Generator<unknown, unknown, unknown> | AsyncGenerator<unknown, unknown, unknown>
      ? true
      : false
  : false;

/** Options every backend accepts. */
export interface ExecutorOptions {
  /** Most workers alive at once. Default: the runtime's available parallelism (1 for `InlineExecutor`). */
  maxWorkers?: number;
  /** Workers started at once and kept alive while idle. Default 0. */
  minWorkers?: number;
  /** An idle worker above `minWorkers` is stopped after this many ms. Default 10000 (`Infinity` for `InlineExecutor`); `Infinity` keeps it. */
  idleTimeout?: number;
  /** Most tasks waiting for a worker; more are rejected with `QueueFullError`. Default Infinity. */
  maxQueue?: number;
  /** A worker is replaced after running this many tasks. Default Infinity. */
  maxTasksPerWorker?: number;
  /**
   * Tasks one worker runs at once (useful for async tasks). Default 1. A
   * worker that shares memory with the executor (worker_threads, Deno, Bun,
   * a cross-origin isolated page) runs at most 65,536 at once, whatever larger
   * value is given.
   */
  concurrentTasksPerWorker?: number;
  /** Default `timeout` of every task, in ms of running time. Default none. */
  taskTimeout?: number;
  /** How long a cancelled or timed-out running task may take to stop after its signal is aborted, before its worker is terminated. Default 500 ms. An integer (not `Infinity`). */
  cancelGrace?: number;
  /** How long a new worker may take to load its module and call `expose()`. Default 60000 ms. */
  startTimeout?: number;
  /** Arguments passed to the `init` function given to `expose()`, once per worker. Must be cloneable. */
  init?: unknown[];
}

/** Options of one task. */
export interface TaskOptions {
  /** Aborting it cancels the task (queued: removed; running: signalled, then its worker is replaced after the grace period). */
  signal?: AbortSignal;
  /** Most ms the task may run; time in the queue does not count. Rejects with `TimeoutError`. */
  timeout?: number;
  /** Buffers to move to the worker instead of copying. */
  transfer?: Transferable[];
  /** Higher runs first. Default 0. Equal priorities run in submission order. */
  priority?: number;
  /**
   * Called with each progress value the task reports with `taskContext().progress(value)`.
   * Coalesced: when the task reports faster than values are delivered, the latest wins; the
   * last value reported before the task settled is delivered before its Future settles. An
   * exception it throws is re-thrown in a microtask (an uncaught error), never into the executor.
   */
  onProgress?: (value: unknown) => void;
}

/** Options of `executor.stream()`. */
export interface StreamOptions extends TaskOptions {
  /** Most items the worker produces ahead of the consumer; then it pauses until items are consumed. Default 16. */
  highWaterMark?: number;
  /**
   * Most ms the generator may go without producing an item, counted while it may
   * produce one (not while it waits for a slow consumer). Past it the stream ends
   * with `TimeoutError` and the generator is stopped as on `timeout`. Default none.
   */
  idleTimeout?: number;
}

/** Options of `executor.map()`. */
export interface MapOptions {
  /** Yield results in input order (default) or, when false, as they complete. */
  ordered?: boolean;
  /** Inputs sent per message; each chunk is one task on the worker. Default 1. */
  chunkSize?: number;
  /** Most chunks submitted and not yet consumed. Default: 2 x maxWorkers x concurrentTasksPerWorker, and at least 64 when `chunkSize` is 1 (2 otherwise). */
  maxInFlight?: number;
  /** Aborting it cancels what is outstanding and ends the iteration with `CancelledError`. */
  signal?: AbortSignal;
  /** Timeout of each chunk, in ms of running time. */
  timeout?: number;
  /** Priority of each chunk. */
  priority?: number;
  /** Called with the progress values each task (each chunk) reports; see {@link TaskOptions.onProgress}. */
  onProgress?: (value: unknown) => void;
}

/** Counters returned by `executor.stats()`. */
export interface ExecutorStats {
  /** Workers alive (starting, busy or idle). */
  workers: number;
  /** Workers running at least one task. */
  busyWorkers: number;
  /** Workers with nothing to do. */
  idleWorkers: number;
  /** Tasks waiting for a worker. */
  queued: number;
  /** Tasks handed to a worker and not finished. */
  running: number;
  /** Tasks fulfilled. */
  completed: number;
  /** Tasks rejected by an error (their own, a timeout, a crash, ...). */
  failed: number;
  /** Tasks cancelled. */
  cancelled: number;
  /** Tasks that timed out (also counted in `failed`). */
  timedOut: number;
  /** Workers that died unexpectedly. */
  crashedWorkers: number;
  /** Workers started since the executor was created. */
  spawnedWorkers: number;
}

/** Resolved executor options. */
export type ResolvedOptions = Required<Omit<ExecutorOptions, 'init' | 'taskTimeout'>> & {
  init: unknown[] | undefined;
  taskTimeout: number;
};

const checkCount = (name: string, v: unknown, min: number, allowInfinity: boolean): void => {
  if (v === undefined) return;
  const ok = typeof v === 'number' && v >= min && (Number.isInteger(v) || (allowInfinity && v === Number.POSITIVE_INFINITY));
  if (!ok) {
    throw new InvalidArgumentError(`Option "${name}" must be an integer >= ${min}${allowInfinity ? ' or Infinity' : ''}; got ${textOf(v)}.`);
  }
};

const EXECUTOR_KEYS = [
  'maxWorkers',
  'minWorkers',
  'idleTimeout',
  'maxQueue',
  'maxTasksPerWorker',
  'concurrentTasksPerWorker',
  'taskTimeout',
  'cancelGrace',
  'startTimeout',
  'init',
] as const satisfies readonly (keyof ExecutorOptions)[];

const TASK_KEYS = [
  'signal',
  'timeout',
  'transfer',
  'priority',
  'onProgress',
  'highWaterMark',
  'idleTimeout',
] as const satisfies readonly (keyof StreamOptions)[];

/**
 * Read each of `keys` of an options object once, into a plain object of the
 * values that are defined, so that what is checked is what is used (a getter
 * may answer differently on its second read). A read that throws (a getter,
 * a Proxy trap, a revoked Proxy) and an options value that is not a plain
 * object (null, an array, a function) are InvalidArgumentError.
 */
export function snapshot<K extends string>(o: unknown, keys: readonly K[], what: string): Partial<Record<K, unknown>> {
  let isArray: boolean;
  try {
    isArray = Array.isArray(o);
  } catch {
    isArray = true;
  }
  if (o === null || typeof o !== 'object' || isArray) throw new InvalidArgumentError(`${what} must be an object, e.g. { timeout: 1000 }.`);
  const out: Partial<Record<K, unknown>> = {};
  for (const key of keys) {
    let v: unknown;
    try {
      v = (o as Record<string, unknown>)[key];
    } catch (error) {
      throw new InvalidArgumentError(`${what}: "${key}" could not be read (${messageOf(error)}).`, { cause: error });
    }
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** The executor options of `o`, each read once (see {@link snapshot}). */
export function readExecutorOptions(o: ExecutorOptions): ExecutorOptions {
  return snapshot(o, EXECUTOR_KEYS, 'Executor options') as ExecutorOptions;
}

/** Validate options and fill in defaults. */
export function resolveOptions(options: ExecutorOptions, defaultWorkers: number): ResolvedOptions {
  const o = readExecutorOptions(options);
  checkCount('maxWorkers', o.maxWorkers, 1, false);
  checkCount('minWorkers', o.minWorkers, 0, false);
  checkCount('idleTimeout', o.idleTimeout, 0, true);
  checkCount('maxQueue', o.maxQueue, 0, true);
  checkCount('maxTasksPerWorker', o.maxTasksPerWorker, 1, true);
  checkCount('concurrentTasksPerWorker', o.concurrentTasksPerWorker, 1, false);
  checkCount('taskTimeout', o.taskTimeout, 0, true);
  checkCount('cancelGrace', o.cancelGrace, 0, false);
  checkCount('startTimeout', o.startTimeout, 1, true);
  if (o.init !== undefined && !Array.isArray(o.init)) {
    throw new InvalidArgumentError('Option "init" must be an array of arguments for the init function.');
  }
  const maxWorkers = o.maxWorkers ?? Math.max(1, defaultWorkers);
  const minWorkers = o.minWorkers ?? 0;
  if (minWorkers > maxWorkers) {
    throw new InvalidArgumentError(`Option "minWorkers" (${minWorkers}) must not exceed "maxWorkers" (${maxWorkers}).`);
  }
  return {
    maxWorkers,
    minWorkers,
    idleTimeout: o.idleTimeout ?? 10_000,
    maxQueue: o.maxQueue ?? Number.POSITIVE_INFINITY,
    maxTasksPerWorker: o.maxTasksPerWorker ?? Number.POSITIVE_INFINITY,
    concurrentTasksPerWorker: o.concurrentTasksPerWorker ?? 1,
    taskTimeout: o.taskTimeout ?? 0,
    cancelGrace: o.cancelGrace ?? 500,
    startTimeout: o.startTimeout ?? 60_000,
    init: o.init,
  };
}

/** Validate a call of `submit` or `stream` (`verb`): a string name, an array of arguments, valid options. */
export function checkCall(verb: 'submit', name: unknown, args: unknown, options: TaskOptions | undefined): TaskOptions | undefined;
export function checkCall(verb: 'stream', name: unknown, args: unknown, options: StreamOptions | undefined): StreamOptions | undefined;
/**
 * Validate a call of `submit` or `stream` (`verb`): a string name, an array of
 * arguments, valid options. Returns the options as read once (see
 * {@link checkTaskOptions}): use them, not the object given.
 */
export function checkCall(verb: 'submit' | 'stream', name: unknown, args: unknown, options: StreamOptions | undefined): StreamOptions | undefined {
  if (typeof name !== 'string') throw new InvalidArgumentError(`Task name must be a string; got ${typeof name}.`);
  let isArray: boolean;
  try {
    isArray = Array.isArray(args);
  } catch {
    isArray = false;
  }
  if (!isArray) {
    throw new InvalidArgumentError(`The arguments of task "${name}" must be an array, e.g. ${verb}("${name}", [x]).`);
  }
  return checkTaskOptions(options);
}

/**
 * Validate a task's options, each read once; returns them as a plain object
 * (undefined when none were given), so that a getter cannot answer the check
 * one value and the scheduler another.
 */
export function checkTaskOptions(options: StreamOptions | undefined): StreamOptions | undefined {
  if (options === undefined) return undefined;
  const o = snapshot(options, TASK_KEYS, 'Task options') as StreamOptions;
  checkCount('timeout', o.timeout, 0, true);
  if (o.priority !== undefined && (typeof o.priority !== 'number' || !Number.isFinite(o.priority))) {
    throw new InvalidArgumentError(`Task option "priority" must be a finite number; got ${textOf(o.priority)}.`);
  }
  if (o.transfer !== undefined) {
    const why = 'Task option "transfer" must be an array of Transferable objects.';
    if (!Array.isArray(o.transfer)) throw new InvalidArgumentError(why);
    // A copy: the list is read again when the task is posted, maybe more than once.
    try {
      o.transfer = Array.from(o.transfer);
    } catch (error) {
      throw new InvalidArgumentError(`${why} It could not be read (${messageOf(error)}).`, { cause: error });
    }
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw new InvalidArgumentError('Task option "onProgress" must be a function.');
  }
  if (o.signal !== undefined && !isSignal(o.signal)) throw new InvalidArgumentError('Task option "signal" must be an AbortSignal.');
  return o;
}

/** Something the executor can use as an AbortSignal: it says whether it is aborted and takes abort listeners. */
function isSignal(signal: unknown): boolean {
  if (signal === null || typeof signal !== 'object') return false;
  try {
    const s = signal as AbortSignal;
    return typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function' && typeof s.removeEventListener === 'function';
  } catch {
    return false;
  }
}

const MAP_KEYS = ['ordered', 'chunkSize', 'maxInFlight', 'signal', 'timeout', 'priority', 'onProgress'] as const satisfies readonly (keyof MapOptions)[];

/** Read and check the options of `map()` once (the task options among them as {@link checkTaskOptions} does). */
export function checkMapOptions(options: MapOptions | undefined): MapOptions {
  if (options === undefined) return {};
  const o = snapshot(options, MAP_KEYS, 'map() options') as MapOptions;
  checkTaskOptions({ signal: o.signal, timeout: o.timeout, priority: o.priority, onProgress: o.onProgress });
  return o;
}
