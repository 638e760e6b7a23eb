/**
 * The caller side: an executor whose tasks are BullMQ jobs. Futures, errors,
 * option checks, the priority queue and `map()` come from the core; this file
 * turns tasks into jobs and job events back into settled Futures.
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  type Capabilities,
  Executor,
  ExecutorShutdownError,
  type ExecutorStats,
  type Future,
  InvalidArgumentError,
  MapIterator,
  type MapOptions,
  QueueFullError,
  SerializationError,
  type ShutdownOptions,
  type StreamItem,
  type StreamOptions,
  type TaskArgs,
  type TaskMap,
  type TaskName,
  type TaskOptions,
  type TaskProxy,
  type TaskResult,
  type TaskStream,
  TimeoutError,
  WorkerCrashedError,
} from '@offload/core';
import {
  type CancelOwner,
  checkCall,
  checkHighWaterMark,
  checkIdleTimeout,
  checkMapOptions,
  createFuture,
  createStreamingFuture,
  createTaskProxy,
  DEFAULT_HIGH_WATER_MARK,
  type FutureHandle,
  resolveOptions,
  StreamIterator,
  StreamSink,
  serializationFailure,
  TaskQueue,
} from '@offload/core/backend';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { checkBackoff, checkConnection, checkPrefix, checkQueueName } from './checks.js';
import { decode, decodeFailure, encode } from './codec.js';
import { type ControlMessage, cancelChannel, close, connect } from './connection.js';
import { type BullExecutorOptions, type JobData, lostError, stalledError } from './options.js';
import { toBullPriority } from './priority.js';
import type { ProgressMessage, StreamOutcome } from './run.js';

/** What the BullMQ backend can do. */
export const capabilities: Capabilities = {
  backend: 'bullmq',
  transfer: false,
  parallel: true,
  killRunning: true,
  isolation: 'thread',
  resourceLimits: false,
  localWorkers: false,
  killMethod: 'a Redis pub/sub broadcast reaches the owning worker machine, whose local worker_threads executor aborts the signal, then terminates the thread',
  startup: 'none per task on the caller; each worker machine keeps warm worker_threads',
  prefetch: "none: BullMQ's workers take one job per free slot",
};

/** What `clusterStats()` reports: the whole queue, from Redis. */
export interface ClusterStats {
  /** Jobs waiting for a worker (prioritized ones included). */
  waiting: number;
  /** Jobs being processed. */
  active: number;
  /** Jobs waiting for a retry's backoff. */
  delayed: number;
  /** Finished jobs still kept in Redis (they are removed 10 minutes after they finish). */
  completed: number;
  failed: number;
  /** Worker processes connected to the queue (`offload-worker`s, or anything running a BullMQ Worker on it). */
  workers: number;
}

/** Jobs one executor keeps in BullMQ at once when `maxInFlight` is not given. */
export const DEFAULT_IN_FLIGHT = 256;

const noop = () => {};

interface Pending {
  id: string;
  name: string;
  args: unknown[];
  future: Future<unknown>;
  /** Settles and binds `future`: only this executor holds it. */
  handle: FutureHandle;
  chunk: boolean;
  priority: number;
  timeout: number;
  queued: boolean;
  queueSlot: number;
  state: 'queued' | 'sent' | 'active' | 'done';
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  onProgress: ((value: unknown) => void) | undefined;
  added: Promise<void> | undefined;
  sink: StreamSink | undefined;
  /** A worker machine took the job at least once (BullMQ re-queues a job whose machine died). */
  taken: boolean;
}

/** Whether a stream job's result says its task was a generator (its items went out as events). */
const streamed = (returnvalue: unknown): boolean => {
  try {
    return (decode(returnvalue as string) as StreamOutcome).g === 1;
  } catch {
    return false;
  }
};

const noWorkers = (): never => {
  throw new Error('unreachable: a BullMQ executor starts no local workers');
};

/**
 * An executor over a BullMQ queue. Tasks become jobs that `offload-worker`
 * processes (or `startWorker()`) run on any machine; the same contract as the
 * other backends: Futures, cancellation, timeouts, priorities, `map()`, streams.
 *
 * It is an {@link Executor} (so code typed against the contract takes it), but
 * its scheduling is BullMQ's: it overrides every public member and never uses
 * the core's local scheduler, which it leaves empty.
 */
export class BullExecutor<T extends TaskMap = TaskMap> extends Executor<T> implements CancelOwner<Pending> {
  readonly #module: string;
  readonly #queueName: string;
  readonly #prefix: string;
  readonly #client: Redis;
  readonly #eventsClient: Redis;
  readonly #queue: Queue;
  readonly #events: QueueEvents;
  readonly #base: string = randomUUID();
  readonly #init: string | undefined;
  readonly #grace: number;
  readonly #taskTimeout: number;
  readonly #maxQueue: number;
  readonly #budget: number;
  readonly #perThread: number;
  readonly #attempts: number | undefined;
  readonly #backoff: BullExecutorOptions['backoff'];
  readonly #lostAfter: number;
  readonly #local = new TaskQueue<Pending>();
  readonly #jobs = new Map<string, Pending>();
  #next = 1;
  #sent = 0;
  readonly #counts = { completed: 0, failed: 0, cancelled: 0, timedOut: 0, crashed: 0 };
  #closing = false;
  /** Its connections are being closed: a lost connection is no outage any more. */
  #ended = false;
  #closed: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  #capacityWaiters: (() => void)[] = [];
  /** Room promised to woken `capacity()` callers that have not submitted yet (until the next macrotask). */
  #reserved = 0;
  #downSince = 0;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #proxy: TaskProxy<T> | undefined;

  constructor(moduleUrl: URL | string, options: BullExecutorOptions) {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('createExecutor() needs options with `connection` and `queue`.');
    const { connection, queue, prefix, attempts, backoff, lostAfter, maxInFlight, ...rest } = options;
    checkQueueName(queue);
    checkConnection(connection);
    checkPrefix(prefix);
    if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 1))
      throw new InvalidArgumentError(`Option "attempts" must be an integer >= 1; got ${String(attempts)}.`);
    checkBackoff(backoff);
    if (lostAfter !== undefined && !(typeof lostAfter === 'number' && lostAfter >= 0))
      throw new InvalidArgumentError(`Option "lostAfter" must be a number of ms >= 0; got ${String(lostAfter)}.`);
    if (maxInFlight !== undefined && (!Number.isInteger(maxInFlight) || maxInFlight < 1))
      throw new InvalidArgumentError(`Option "maxInFlight" must be an integer >= 1; got ${String(maxInFlight)}.`);
    const o = resolveOptions(rest, 1);
    super(noWorkers, capabilities, { maxWorkers: 1 });
    if (o.init !== undefined) {
      try {
        this.#init = encode(o.init);
      } catch (error) {
        throw new SerializationError(`Option "init" cannot be sent to the workers: ${(error as Error).message}`, { cause: error });
      }
    }
    this.#module =
      typeof moduleUrl === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(moduleUrl) ? new URL(moduleUrl, `file://${process.cwd()}/`).href : String(moduleUrl);
    this.#queueName = queue;
    this.#prefix = prefix ?? 'bull';
    this.#grace = o.cancelGrace;
    this.#taskTimeout = o.taskTimeout;
    this.#maxQueue = o.maxQueue;
    this.#perThread = o.concurrentTasksPerWorker;
    // The worker machines' threads are not this caller's: maxWorkers, minWorkers, idleTimeout and
    // maxTasksPerWorker are checked (as on every backend) but do not bound the caller. Its own
    // bound is the number of jobs it keeps in BullMQ at once.
    this.#budget = maxInFlight ?? DEFAULT_IN_FLIGHT;
    this.#attempts = attempts;
    this.#backoff = backoff;
    this.#lostAfter = lostAfter ?? 30_000;
    this.#client = connect(connection, 'offload-caller');
    this.#eventsClient = connect(connection, 'offload-caller-events');
    this.#client.on('error', noop);
    this.#eventsClient.on('error', noop);
    this.#queue = new Queue(queue, { connection: this.#client, prefix: this.#prefix });
    this.#queue.on('error', noop);
    // Read events from a little before now: nothing of ours is older, and none is missed while connecting.
    this.#events = new QueueEvents(queue, { connection: this.#eventsClient, prefix: this.#prefix, lastEventId: `${Date.now() - 60_000}-0` });
    this.#events.on('error', noop);
    this.#events.on('active', ({ jobId }) => this.#onActive(jobId));
    // Given back by a machine that could not start it, or waiting for a retry: not running any more.
    this.#events.on('delayed', ({ jobId }) => this.#onBack(jobId));
    this.#events.on('waiting', ({ jobId }) => this.#onBack(jobId));
    this.#events.on('completed', ({ jobId, returnvalue }) => this.#onCompleted(jobId, returnvalue));
    this.#events.on('failed', ({ jobId, failedReason }) => this.#onFailed(jobId, failedReason));
    this.#events.on('progress', ({ jobId, data }) => this.#onProgress(jobId, data));
    this.#client.on('close', () => this.#down());
    this.#client.on('ready', () => this.#up());
    // The event stream is read again from where it stopped, but events trimmed meanwhile are gone: check.
    let eventsLost = false;
    this.#eventsClient.on('close', () => (eventsLost = true));
    this.#eventsClient.on('ready', () => {
      if (eventsLost) this.#auditSoon();
      eventsLost = false;
    });
  }

  /** Run task `name` with `args` as a job. Returns at once with a Future (see core's `Executor.submit`). */
  override submit<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options?: TaskOptions): Future<TaskResult<T, K>> {
    // The options as read once by the check: a getter cannot answer the check one value and the job another.
    return this.#submit(name, args, checkCall('submit', name, args, options), false) as Future<TaskResult<T, K>>;
  }

  /** Typed proxy over the module's tasks: `await executor.tasks.isPrime(17)`. */
  override get tasks(): TaskProxy<T> {
    // Sent as a stream: a generator task streams its items, any other task settles as usual.
    this.#proxy ??= createTaskProxy<TaskProxy<T>>((name, args) => this.#submit(name, args, undefined, false, new StreamSink(DEFAULT_HIGH_WATER_MARK)));
    return this.#proxy;
  }

  /**
   * Run task `name` as a stream: iterate the items a generator task yields on
   * its worker machine, as they are produced (see core's `Executor.stream`).
   * Items travel as the job's progress; the generator runs at most about
   * `highWaterMark` items ahead of the consumer.
   */
  override stream<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options?: StreamOptions): TaskStream<StreamItem<T, K>> {
    const o = checkCall('stream', name, args, options);
    const sink = new StreamSink(checkHighWaterMark(o?.highWaterMark), checkIdleTimeout(o?.idleTimeout));
    return new StreamIterator<StreamItem<T, K>>(this.#submit(name, args, o, false, sink), sink);
  }

  /** Apply task `name` to every input; with `chunkSize`, each chunk is one job. See core's `Executor.map`. */
  override map<K extends TaskName<T>>(
    name: K,
    inputs: Iterable<TaskArgs<T, K>[0]> | AsyncIterable<TaskArgs<T, K>[0]>,
    options?: MapOptions,
  ): MapIterator<TaskResult<T, K>> {
    const submit = (chunk: unknown[], o: TaskOptions, single: boolean) => this.#submit(name, chunk, o, !single);
    return new MapIterator<TaskResult<T, K>>(submit, inputs, checkMapOptions(options), Math.min(this.#budget, 64));
  }

  #submit(name: string, args: unknown[], options: TaskOptions | undefined, chunk: boolean, sink?: StreamSink): Future<unknown> {
    const handle: FutureHandle = sink ? createStreamingFuture(sink) : createFuture();
    const future = handle.future;
    if (this.#closing) {
      handle.settle('rejected', new ExecutorShutdownError());
      return future;
    }
    const signal = options?.signal;
    if (signal?.aborted) {
      future.cancel(signal.reason);
      return future;
    }
    if (this.#reserved > 0) this.#reserved--;
    else if (this.#room() <= 0) {
      handle.settle('rejected', new QueueFullError(this.#maxQueue));
      return future;
    }
    const job: Pending = {
      id: `${this.#base}-${this.#next++}`,
      name,
      args,
      future,
      handle,
      chunk,
      priority: options?.priority ?? 0,
      timeout: options?.timeout ?? this.#taskTimeout,
      queued: false,
      queueSlot: 0,
      state: 'queued',
      signal,
      onAbort: undefined,
      onProgress: options?.onProgress,
      added: undefined,
      sink,
      taken: false,
    };
    if (sink) sink.pull = (n) => this.#control({ c: 'pull', id: job.id, n });
    handle.bind(this, job);
    if (signal) {
      job.onAbort = () => future.cancel(signal.reason);
      signal.addEventListener('abort', job.onAbort, { once: true });
    }
    if (this.#local.size === 0 && this.#sent < this.#budget) this.#send(job);
    else this.#local.push(job);
    return future;
  }

  #send(job: Pending): void {
    let a: string;
    try {
      a = encode(job.args);
    } catch (error) {
      // Reported a microtask later, so that a cancel() right after submit() wins, as on the other backends.
      const failure = serializationFailure('argument', job.name, job.args, error);
      queueMicrotask(() => this.#finish(job, 'rejected', failure));
      return;
    }
    job.state = 'sent';
    this.#sent++;
    this.#jobs.set(job.id, job);
    const data: JobData = { m: this.#module, a, g: this.#grace };
    if (job.chunk) data.c = 1;
    if (job.timeout > 0 && job.timeout <= 2 ** 31 - 1) data.t = job.timeout;
    if (this.#init !== undefined) data.i = this.#init;
    if (job.onProgress) data.r = 1;
    if (job.sink) data.s = job.sink.hwm;
    // The idle clock runs where the generator does: the worker machine's executor starts it when the
    // generator's thread is ready (a cold start is not idleness) and pauses it while the caller's credit is used up.
    if (job.sink && job.sink.idleTimeout > 0) data.d = job.sink.idleTimeout;
    if (this.#perThread > 1) data.w = this.#perThread;
    job.added = this.#queue
      .add(job.name, data, {
        jobId: job.id,
        priority: toBullPriority(job.priority),
        attempts: this.#attempts,
        backoff: this.#backoff,
        removeOnComplete: { age: 600 },
        removeOnFail: { age: 600 },
      })
      .then(noop, (error: unknown) => {
        this.#release(job);
        this.#finish(job, 'rejected', error);
      });
  }

  /** Settle a job's Future (once) and count the outcome. */
  #finish(job: Pending, state: 'fulfilled' | 'rejected', outcome: unknown): void {
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if (!job.handle.settle(state, outcome)) return;
    if (state === 'fulfilled') this.#counts.completed++;
    else {
      this.#counts.failed++;
      if (outcome instanceof TimeoutError) this.#counts.timedOut++;
      if (outcome instanceof WorkerCrashedError) this.#counts.crashed++;
    }
  }

  /** The job left BullMQ (settled or removed): free its slot. */
  #release(job: Pending): void {
    if (job.state === 'sent' || job.state === 'active') {
      this.#sent--;
      this.#jobs.delete(job.id);
    }
    job.state = 'done';
    this.#pump();
  }

  #pump(): void {
    while (this.#local.size > 0 && this.#sent < this.#budget) this.#send(this.#local.shift() as Pending);
    while (this.#capacityWaiters.length > 0 && this.#room() - this.#reserved > 0) {
      if (this.#reserved++ === 0) setTimeout(() => (this.#reserved = 0), 0);
      this.#capacityWaiters.shift()?.();
    }
    if (this.#closing && this.#local.size === 0 && this.#jobs.size === 0) this.#drained?.();
  }

  #onActive(id: string): void {
    const job = this.#jobs.get(id);
    if (!job) return;
    // A stream taken again after its machine died would send its items again from the first:
    // once the caller has some, it fails instead (a stream with none yet simply runs again).
    if (job.taken && job.sink && job.sink.received > 0 && !job.future.done()) {
      this.#finish(
        job,
        'rejected',
        lostError(
          job.name,
          `its worker machine stopped after it had streamed ${job.sink.received} item(s), and a stream is not restarted (its items would repeat)`,
        ),
      );
      this.#stop(job);
      return;
    }
    job.taken = true;
    if (job.state === 'sent') job.state = 'active';
  }

  #onBack(id: string): void {
    const job = this.#jobs.get(id);
    if (job?.state === 'active') job.state = 'sent';
  }

  #onCompleted(id: string, returnvalue: unknown): void {
    const job = this.#jobs.get(id);
    if (!job) return;
    this.#release(job);
    if (job.future.done()) return;
    try {
      let value = decode(returnvalue as string);
      if (job.sink) {
        const outcome = value as StreamOutcome;
        if (outcome.g) job.sink.streaming = true;
        value = outcome.v;
      }
      this.#finish(job, 'fulfilled', value);
    } catch (error) {
      this.#finish(
        job,
        'rejected',
        new SerializationError(`The result of task "${job.name}" could not be decoded: ${(error as Error).message}`, { cause: error }),
      );
    }
  }

  #onFailed(id: string, reason: string): void {
    const job = this.#jobs.get(id);
    if (!job) return;
    this.#release(job);
    if (job.future.done()) return;
    let thrown: unknown;
    try {
      const failure = decodeFailure(reason);
      thrown = failure ? failure.thrown : stalledError(job.name, reason);
    } catch (error) {
      // Not written by an Offload worker (another client of the queue), or damaged on the way.
      thrown = new SerializationError(`The failure of task "${job.name}" could not be decoded: ${(error as Error).message}`, { cause: error });
    }
    this.#finish(job, 'rejected', thrown);
  }

  #onProgress(id: string, data: unknown): void {
    const job = this.#jobs.get(id);
    if (!job || job.future.done() || typeof data !== 'string') return;
    let msg: ProgressMessage;
    try {
      msg = decode(data) as ProgressMessage;
    } catch {
      return;
    }
    // Anyone with the Redis connection can write a job's progress: take only Offload's two shapes.
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return;
    if ('y' in msg) {
      if (Array.isArray(msg.y)) job.sink?.pushAll(msg.y);
      return;
    }
    if (!('p' in msg)) return;
    const fn = job.onProgress;
    if (!fn) return;
    try {
      fn(msg.p);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  /** Called by a Future's `cancel()`: drop a held task, remove a waiting job, or broadcast the cancel of a running one. */
  cancel(job: Pending): void {
    this.#counts.cancelled++;
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    // A cancelled stream hands out no more items, not even those already received (its iterator reads the buffer first).
    job.sink?.clear();
    if (job.state === 'queued') {
      this.#local.remove(job);
      job.state = 'done';
      this.#pump();
      return;
    }
    if (job.state === 'done') return;
    this.#stop(job);
  }

  /** Remove a job from BullMQ if it waits there, or broadcast the cancel of it running; its slot is freed when it leaves BullMQ. */
  #stop(job: Pending): void {
    const added = job.added ?? Promise.resolve();
    added
      .then(() => this.#queue.remove(job.id))
      .then((removed) => {
        if (removed === 1) this.#release(job);
        else return this.#control({ c: 'cancel', id: job.id });
      })
      .catch(noop);
  }

  /** Broadcast a control message to the queue's workers (the one running the job acts on it). */
  #control(msg: ControlMessage): Promise<void> {
    return this.#client.publish(cancelChannel(this.#prefix, this.#queueName), JSON.stringify(msg)).then(noop, noop);
  }

  /** Tasks that can be accepted now: free slots of the in-flight budget plus free places in the local queue. */
  #room(): number {
    return Math.max(0, this.#budget - this.#sent) + Math.max(0, this.#maxQueue - this.#local.size);
  }

  /** Whether the job is being processed by a worker. */
  started(job: Pending): boolean {
    return job.state === 'active';
  }

  /** Resolves when another task can be submitted without `QueueFullError`. */
  override capacity(): Promise<void> {
    if (this.#closing || this.#room() - this.#reserved > 0) return Promise.resolve();
    return new Promise((r) => this.#capacityWaiters.push(r));
  }

  /**
   * Stop accepting tasks; by default wait for the jobs of this executor to
   * settle, then close its Redis connections. Safe to call more than once.
   */
  override shutdown(options: ShutdownOptions = {}): Promise<void> {
    const { wait = true, cancelPending = false, cancelRunning = false } = options;
    this.#closing = true;
    const reason = new ExecutorShutdownError('The executor was shut down before the task finished.');
    if (cancelPending || cancelRunning) {
      // Jobs already handed to BullMQ count as running: they are inside this executor's budget, as tasks on a worker are.
      for (const job of this.#local.drain()) {
        job.state = 'done';
        job.future.cancel(reason);
      }
      if (cancelRunning) for (const job of [...this.#jobs.values()]) job.future.cancel(reason);
    }
    for (const w of this.#capacityWaiters.splice(0)) w();
    this.#closed ??= new Promise<void>((resolve) => {
      this.#drained = resolve;
      this.#pump();
    }).then(() => this.#close());
    return wait ? this.#closed : Promise.resolve();
  }

  async #close(): Promise<void> {
    this.#ended = true;
    if (this.#watchdog) clearInterval(this.#watchdog);
    // BullMQ's close waits for Redis: cut off from it, the caller closes anyway (its clients are dropped below).
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([this.#events.close(), this.#queue.close()]),
      new Promise((r) => {
        timer = setTimeout(r, 1000);
      }),
    ]);
    clearTimeout(timer);
    await Promise.all([close(this.#client), close(this.#eventsClient)]);
  }

  /** `await using executor = createExecutor(...)` shuts it down (waiting) at the end of the block. */
  override [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /** True once `shutdown()` was called. */
  override get closed(): boolean {
    return this.#closing;
  }

  /**
   * Counters of this executor. The caller has no workers of its own, so
   * `workers`, `busyWorkers`, `idleWorkers` and `spawnedWorkers` are 0 (see
   * `clusterStats()` for the worker processes); `queued` is what it holds back
   * over `maxInFlight`, `running` its jobs in BullMQ (waiting or active).
   */
  override stats(): ExecutorStats {
    const c = this.#counts;
    return {
      workers: 0,
      busyWorkers: 0,
      idleWorkers: 0,
      queued: this.#local.size,
      running: this.#sent,
      completed: c.completed,
      failed: c.failed,
      cancelled: c.cancelled,
      timedOut: c.timedOut,
      crashedWorkers: c.crashed,
      spawnedWorkers: 0,
    };
  }

  /**
   * The queue as BullMQ sees it, every caller's jobs included: job counts by
   * state and the number of worker processes connected. Asks Redis (two round
   * trips); `stats()` stays synchronous and local.
   */
  async clusterStats(): Promise<ClusterStats> {
    const [counts, workers] = await Promise.all([
      this.#queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'),
      this.#queue.getWorkersCount(),
    ]);
    const n = (k: string) => counts[k] ?? 0;
    return { waiting: n('waiting') + n('prioritized'), active: n('active'), delayed: n('delayed'), completed: n('completed'), failed: n('failed'), workers };
  }

  // ---- Redis outages: no Future waits forever ----

  #down(): void {
    // Also while shutdown() waits for the jobs: they must settle for it to end.
    if (this.#downSince !== 0 || this.#ended) return;
    this.#downSince = Date.now();
    this.#watchdog ??= setInterval(() => {
      if (this.#downSince !== 0 && Date.now() - this.#downSince >= this.#lostAfter) this.#loseAll(`Redis was unreachable for more than ${this.#lostAfter} ms`);
    }, 250);
    this.#watchdog.unref?.();
  }

  #up(): void {
    if (this.#downSince === 0) return;
    this.#downSince = 0;
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    this.#auditSoon();
  }

  /**
   * After a reconnect: events written while we were away arrive first (1 s);
   * then a job that finished but whose event is gone (the stream was trimmed
   * meanwhile) settles from the job itself, and one Redis no longer knows is lost.
   */
  #auditSoon(): void {
    setTimeout(() => void this.#audit(), 1000).unref?.();
  }

  async #audit(): Promise<void> {
    for (const job of [...this.#jobs.values()]) {
      if (!job.added) continue;
      const state = await this.#queue.getJobState(job.id).catch(() => undefined);
      if (!this.#jobs.has(job.id)) continue;
      if (state === 'completed' || state === 'failed') {
        const found = await this.#queue.getJob(job.id).catch(() => undefined);
        if (!this.#jobs.has(job.id)) continue;
        // A generator's items travel as events: trimmed with them, they cannot be handed out any more.
        if (found && state === 'completed' && job.sink && streamed(found.returnvalue))
          this.#lose(job, 'its generator finished while the caller was away and BullMQ trimmed its events, streamed items included');
        else if (found && state === 'completed') this.#onCompleted(job.id, found.returnvalue);
        else if (found) this.#onFailed(job.id, found.failedReason);
        else this.#lose(job, 'its finished job was removed from Redis before its outcome was read');
      } else if (state === 'unknown') this.#lose(job, 'Redis no longer has its job (it restarted without persistence, or the job was removed)');
    }
  }

  #lose(job: Pending, why: string): void {
    this.#release(job);
    this.#finish(job, 'rejected', lostError(job.name, why));
  }

  #loseAll(why: string): void {
    for (const job of [...this.#jobs.values()]) this.#lose(job, why);
  }
}
