/**
 * Executor: the one scheduler every backend runs on. It owns queueing,
 * futures, the protocol, timeouts, cancellation, recycling and crash recovery;
 * a backend hands it a {@link Spawn} function and nothing else.
 * @module
 */
import { Dispatcher } from './dispatcher.js';
import { ExecutorShutdownError, QueueFullError } from './errors.js';
import { bindFuture, type Future, settleFuture } from './future.js';
import { MapIterator } from './map.js';
import {
  checkCall,
  checkMapOptions,
  type ExecutorOptions,
  type ExecutorStats,
  type IsStreamTask,
  type MapOptions,
  resolveOptions,
  type StreamItem,
  type StreamOptions,
  snapshot,
  type TaskArgs,
  type TaskMap,
  type TaskName,
  type TaskOptions,
  type TaskResult,
} from './options.js';
import type { Task } from './pool-worker.js';
import { checkHighWaterMark, checkIdleTimeout, DEFAULT_HIGH_WATER_MARK, newTaskFuture, StreamIterator, StreamSink, type TaskStream } from './stream.js';
import { createTaskProxy, type ProxyReservedName } from './task-names.js';
import type { Capabilities, Spawn } from './transport.js';

/** Options of `shutdown()`. */
export interface ShutdownOptions {
  /** Resolve only when every accepted task has settled and every worker is gone. Default true. */
  wait?: boolean;
  /** Cancel tasks still waiting in the queue. Default false. */
  cancelPending?: boolean;
  /** Cancel running tasks too (signal, grace, then terminate). Default false. */
  cancelRunning?: boolean;
}

/**
 * The typed proxy: `executor.tasks.fib(30)` is `executor.submit('fib', [30])`,
 * and for a generator task `executor.tasks.primes(100)` is a {@link TaskStream}
 * like `executor.stream('primes', [100])`.
 * Names every object answers (those of `Object.prototype`, `then`, `toJSON`)
 * and symbols are not tasks on the proxy; run such tasks with `submit()`.
 */
export type TaskProxy<T> = {
  [K in Exclude<TaskName<T>, ProxyReservedName>]: (
    ...args: TaskArgs<T, K>
  ) => IsStreamTask<T, K> extends true ? TaskStream<StreamItem<T, K>> : Future<TaskResult<T, K>>;
};

const noop = () => {};
const SHUTDOWN_KEYS = ['wait', 'cancelPending', 'cancelRunning'] as const;

/**
 * A pool of workers running the tasks a module exposes.
 * Create one with a backend's `createExecutor()`; end it with `shutdown()` or `await using`.
 */
export class Executor<T extends TaskMap = TaskMap> {
  /** What this backend can do (used by tests and docs). */
  readonly capabilities: Capabilities;
  readonly #d: Dispatcher;
  #nextId = 1;
  #proxy: TaskProxy<T> | undefined;

  constructor(spawn: Spawn, capabilities: Capabilities, options: ExecutorOptions = {}, defaultWorkers = 1) {
    this.capabilities = capabilities;
    this.#d = new Dispatcher(spawn, resolveOptions(options, defaultWorkers));
  }

  /**
   * Run task `name` with `args` on a worker. Returns at once with a {@link Future}.
   * Never throws for a runtime condition: a full queue, a shut-down executor, a
   * missing task or an uncloneable argument rejects the Future.
   */
  submit<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options?: TaskOptions): Future<TaskResult<T, K>> {
    return this.#submit(name, args, checkCall('submit', name, args, options), false) as Future<TaskResult<T, K>>;
  }

  /**
   * Run task `name` as a stream: iterate the items a (sync or async) generator
   * task yields, as they are produced. The worker runs ahead of the consumer by
   * at most `highWaterMark` items; `break` stops the generator (its `finally`
   * blocks run); `timeout` bounds the whole stream, `idleTimeout` the wait for
   * each item while the generator may produce. A plain task yields its one
   * result. See {@link TaskStream}.
   */
  stream<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options?: StreamOptions): TaskStream<StreamItem<T, K>> {
    const o = checkCall('stream', name, args, options);
    const sink = new StreamSink(checkHighWaterMark(o?.highWaterMark), checkIdleTimeout(o?.idleTimeout));
    const future = this.#submit(name, args, o, false, sink, true);
    return new StreamIterator<StreamItem<T, K>>(future, sink);
  }

  #submit(name: string, args: unknown[], options: TaskOptions | undefined, chunk: boolean, sink?: StreamSink, longStream = false): Future<unknown> {
    const future = newTaskFuture(sink);
    const d = this.#d;
    if (d.closing) {
      settleFuture(future, 'rejected', new ExecutorShutdownError());
      return future;
    }
    const signal = options?.signal;
    if (signal?.aborted) {
      future.cancel(signal.reason);
      return future;
    }
    if (d.queue.size >= d.options.maxQueue && !d.hasFreeSlot()) {
      settleFuture(future, 'rejected', new QueueFullError(d.options.maxQueue));
      return future;
    }
    const task: Task = {
      id: this.#nextId++,
      name,
      args,
      future,
      transfer: options?.transfer,
      timeout: options?.timeout ?? d.options.taskTimeout,
      priority: options?.priority ?? 0,
      signal,
      timer: undefined,
      worker: undefined,
      timing: false,
      chunk,
      suspect: false,
      queued: false,
      queueSlot: 0,
      slot: -1,
      stopBy: 0,
    };
    if (sink) {
      task.sink = sink;
      if (longStream) task.longStream = true;
      sink.pull = (n) => d.pull(task, n);
    }
    if (options?.onProgress) task.onProgress = options.onProgress;
    bindFuture(future, d, task);
    if (signal) d.aborts.add(signal, task);
    d.accept(task);
    return future;
  }

  /**
   * Typed proxy over the module's tasks: `await executor.tasks.isPrime(17)`.
   * `String()`, `JSON.stringify`, `await` and inspection of the proxy itself
   * submit nothing (see {@link TaskProxy}).
   */
  get tasks(): TaskProxy<T> {
    // Sent as a stream: a generator task streams its items, any other task settles as usual.
    this.#proxy ??= createTaskProxy<TaskProxy<T>>((name, args) => this.#submit(name, args, undefined, false, new StreamSink(DEFAULT_HIGH_WATER_MARK)));
    return this.#proxy;
  }

  /**
   * Apply task `name` to every input (one argument each), pulling inputs lazily
   * from a sync or async iterable. Results come in input order unless
   * `ordered: false`. Breaking out of the loop cancels what is outstanding; a
   * task's error is thrown at its position.
   */
  map<K extends TaskName<T>>(
    name: K,
    inputs: Iterable<TaskArgs<T, K>[0]> | AsyncIterable<TaskArgs<T, K>[0]>,
    options?: MapOptions,
  ): MapIterator<TaskResult<T, K>> {
    const o = this.#d.options;
    const checked = checkMapOptions(options);
    const submitChunk = (chunk: unknown[], taskOptions: TaskOptions, single: boolean) => this.#submit(name, chunk, taskOptions, !single);
    return new MapIterator<TaskResult<T, K>>(submitChunk, inputs, checked, o.maxWorkers * o.concurrentTasksPerWorker);
  }

  /** Resolves when the queue has room for another task (immediately if it has). Backpressure without polling. */
  capacity(): Promise<void> {
    return this.#d.capacity();
  }

  /**
   * Stop accepting tasks. By default, waits for queued and running tasks and
   * then stops every worker. Safe to call more than once.
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    const o = (options === undefined ? {} : snapshot(options, SHUTDOWN_KEYS, 'shutdown() options')) as ShutdownOptions;
    return this.#d.shutdown(!!o.cancelPending, !!o.cancelRunning).then(o.wait === false ? noop : () => this.#d.drained);
  }

  /** `await using executor = createExecutor(...)` shuts it down (waiting) at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /** True once `shutdown()` was called. */
  get closed(): boolean {
    return this.#d.closing;
  }

  /** Current counters. */
  stats(): ExecutorStats {
    return this.#d.stats();
  }
}
