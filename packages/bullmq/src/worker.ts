/**
 * The worker side: a BullMQ Worker whose jobs run in a local
 * `@offload/node-worker` executor (worker_threads), so CPU-bound tasks never
 * block BullMQ's event loop (which would make it flag jobs as stalled).
 * Cancellations of running jobs arrive by Redis pub/sub. A job whose module
 * or init cannot start on this machine goes back to the queue for another.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { CancelledError, type Executor, InvalidArgumentError, OffloadError, SerializationError, WorkerCrashedError, WorkerInitError } from '@offload/core';
import { createExecutor } from '@offload/node-worker';
import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { checkConnection, checkInteger, checkPrefix, checkQueueName } from './checks.js';
import { decode, encode, encodeFailure } from './codec.js';
import { cancelChannel, close, connect, type RedisConnection, readControl } from './connection.js';
import type { JobData } from './options.js';
import { type Control, Outbox, runChunk, runOne, runStream } from './run.js';

/** Options of `startWorker()`. */
export interface StartWorkerOptions {
  /** Redis: a `redis://` URL or ioredis options. */
  connection: RedisConnection;
  /** Name of the BullMQ queue to serve. */
  queue: string;
  /** Jobs run at once, and worker threads at most. Default: available parallelism. */
  concurrency?: number;
  /** BullMQ key prefix. Default `bull`. */
  prefix?: string;
  /** Jobs may name any task module under this directory (URL or path). Default: the directory of `moduleUrl`. */
  root?: URL | string;
  /** BullMQ's stalled-job check period in ms (a dead worker's jobs are re-queued after about this long). Default 30000. */
  stalledInterval?: number;
  /** BullMQ's job lock duration in ms. Default 30000. */
  lockDuration?: number;
  /** Times a job may stall before it fails. Default 1. */
  maxStalledCount?: number;
  /**
   * Where the worker reports a kind of job it cannot start here (its task
   * module or `init` failed on this machine) and gives back to the queue, and
   * Redis becoming unreachable and reachable again (once each time).
   * Default: nowhere. The CLI writes these lines to stderr.
   */
  log?: (message: string) => void;
}

/** A running worker. */
export interface OffloadWorker {
  /** Stop taking jobs, let running ones finish, stop the threads and close the connections. */
  close(): Promise<void>;
  /** Resolves once connected to Redis. */
  readonly ready: Promise<void>;
}

/** A local executor serving one kind of job, and its use. */
interface Pool {
  ex: Executor;
  /** Jobs running on it now. */
  jobs: number;
  /** When it last finished a job (ms). */
  last: number;
}

/** A pool unused this long (ms) is shut down; the next job of its kind starts a new one. */
const POOL_IDLE = 60_000;

/** Remembered broadcast cancellations, for a job whose cancel arrived before the job did. */
const RECENT_CANCELS = 10_000;

/** How long (ms) a machine gives back, without trying again, the jobs of a kind it could not start. */
const REFUSE_FOR = 30_000;

/** Most times a job is given back before its start failure is final, whatever the count of machines says. */
const MAX_REFUSALS = 100;

/** A job given back waits this long (ms) per refusal so far, at most 1 s, so that a machine able to run it takes it first. */
const GIVE_BACK_STEP = 50;

/** A kind of job this machine could not start, and until when it gives such jobs back. */
interface Refusal {
  error: WorkerInitError;
  until: number;
}

const toHref = (u: URL | string): string => (u instanceof URL ? u.href : /^[a-z][a-z0-9+.-]*:/i.test(u) ? u : pathToFileURL(u).href);

/** A failure for BullMQ: the caller re-creates the error; Offload's own errors (not crashes) are final. */
function failure(error: unknown): Error {
  const reason = encodeFailure(error);
  if (error instanceof OffloadError && !(error instanceof WorkerCrashedError)) return new UnrecoverableError(reason);
  const e = new Error(reason);
  e.stack = reason;
  return e;
}

/**
 * Serve the BullMQ queue `options.queue`: run each job's task from its module
 * (under `root`) in local worker_threads.
 */
export function startWorker(moduleUrl: URL | string, options: StartWorkerOptions): OffloadWorker {
  checkWorkerOptions(options);
  const concurrency = options.concurrency ?? availableParallelism();
  const prefix = options.prefix ?? 'bull';
  const root = toHref(options.root ?? new URL('.', toHref(moduleUrl)));
  const rootDir = root.endsWith('/') ? root : `${root}/`;
  const executors = new Map<string, Pool>();
  const running = new Map<string, Control>();
  const cancelled = new Set<string>();
  const refusing = new Map<string, Refusal>();
  const log = options.log ?? (() => {});
  /** This worker, in the list of machines that refused a job. */
  const me = randomUUID();

  // Every thread is started up front (minWorkers = concurrency): a short job must never be sent
  // ahead to a thread stuck in a long one while a thread that could run it is not started yet.
  // A pool (one per module, init, cancelGrace and concurrentTasksPerWorker) unused for
  // POOL_IDLE ms is shut down, so pools of past callers do not keep their threads.
  const poolFor = (d: JobData): Pool => {
    const key = kindOf(d);
    let pool = executors.get(key);
    if (!pool) {
      const init = d.i === undefined ? undefined : (decode(d.i) as unknown[]);
      const ex = createExecutor(d.m, { maxWorkers: concurrency, minWorkers: concurrency, init, cancelGrace: d.g, concurrentTasksPerWorker: d.w ?? 1 });
      pool = { ex, jobs: 0, last: Date.now() };
      executors.set(key, pool);
    }
    return pool;
  };
  const sweep = setInterval(() => {
    for (const [key, pool] of executors) {
      if (pool.jobs > 0 || Date.now() - pool.last < POOL_IDLE) continue;
      executors.delete(key);
      pool.ex.shutdown().catch(() => {});
    }
  }, POOL_IDLE / 2);
  sweep.unref();

  // A job whose module or init cannot start on this machine goes back to the queue for another
  // machine, unless every worker connected to the queue has refused it (or it was refused
  // MAX_REFUSALS times): then its start failure is final and the caller's Future rejects with it.
  // This machine gives jobs of that kind back for REFUSE_FOR ms without trying again.
  const giveBack = async (job: Job<JobData>, token: string | undefined, error: WorkerInitError): Promise<never> => {
    const refusals = [...(job.data.x ?? []), me];
    const workers = await counter.getWorkersCount().catch(() => 0);
    if (new Set(refusals).size >= workers || refusals.length >= MAX_REFUSALS) throw failure(error);
    await job.updateData({ ...job.data, x: refusals });
    await job.moveToDelayed(Date.now() + Math.min(1000, GIVE_BACK_STEP * refusals.length), token);
    throw new DelayedError();
  };
  const refuse = (job: Job<JobData>, d: JobData, token: string | undefined, error: WorkerInitError): Promise<never> => {
    const kind = kindOf(d);
    if (!refusing.has(kind))
      log(`offload-worker: cannot start task module ${d.m} on this machine (${error.message}); its jobs go to other machines for ${REFUSE_FOR / 1000} s`);
    refusing.set(kind, { error, until: Date.now() + REFUSE_FOR });
    const pool = executors.get(kind);
    if (pool && pool.jobs === 0) {
      executors.delete(kind);
      pool.ex.shutdown({ cancelPending: true }).catch(() => {});
    }
    return giveBack(job, token, error);
  };

  const processor = async (job: Job<JobData>, token?: string): Promise<string> => {
    const id = job.id as string;
    if (cancelled.has(id)) throw failure(new CancelledError());
    const d = readJobData(job.data);
    if (typeof d === 'string')
      throw failure(new WorkerInitError(`Job ${id} of queue "${options.queue}" was not added by an Offload executor (${d}); this worker runs only those.`));
    const kind = kindOf(d);
    const refusal = refusing.get(kind);
    if (refusal && refusal.until > Date.now()) return giveBack(job, token, refusal.error);
    if (refusal) refusing.delete(kind);
    // The module URL as the loader will see it (with "..", "%2e%2e" and the like resolved), under the root.
    if (!d.m.startsWith(rootDir))
      return refuse(job, d, token, new WorkerInitError(`This worker serves task modules under ${rootDir} only; the job asks for ${d.m}.`));
    let pool: Pool;
    let args: unknown[];
    try {
      args = decode(d.a) as unknown[];
      if (!Array.isArray(args)) throw new WorkerInitError(`The arguments of job ${id} are not a list.`);
      pool = poolFor(d);
    } catch (error) {
      throw failure(error instanceof OffloadError ? error : new WorkerInitError(`The job could not be started: ${(error as Error).message}`, { cause: error }));
    }
    const out = d.r || d.s ? new Outbox(job) : undefined;
    const set = (c: Control) => running.set(id, c);
    const ex = pool.ex;
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    pool.jobs++;
    try {
      let value: unknown;
      if (d.s && out) value = await runStream(ex, job, args, d.s, d.t, d.d, set, out);
      else if (d.c) value = await runChunk(ex, job, args, d.t, set, out);
      else value = await runOne(ex, job, args, d.t, set, out);
      await out?.flush();
      outcome = { ok: true, value };
    } catch (error) {
      await out?.flush();
      outcome = { ok: false, error };
    } finally {
      running.delete(id);
      pool.jobs--;
      pool.last = Date.now();
    }
    if (!outcome.ok) {
      const { error } = outcome;
      if (error instanceof UnrecoverableError) throw error;
      // No thread of the pool could start (a task's own WorkerInitError would come from a live thread).
      if (error instanceof WorkerInitError && ex.stats().workers === 0) return refuse(job, d, token, error);
      // BullMQ's retry (`attempts`) would run the generator again from its first item: once some went out, the failure is final.
      if (out && out.items > 0) throw new UnrecoverableError(encodeFailure(error));
      throw failure(error);
    }
    try {
      return encode(outcome.value);
    } catch (error) {
      throw new UnrecoverableError(encodeFailure(serializationOfResult(job.name, error)));
    }
  };

  const client = connect(options.connection, 'offload-worker');
  // A machine that cannot reach Redis (at start, or later) says so once, and again when it is back, rather than wait in silence.
  let unreachable = false;
  client.on('error', (error: Error) => {
    if (unreachable) return;
    unreachable = true;
    log(`offload-worker: cannot reach Redis at ${whereIs(client)} (${error.message}); retrying until it answers`);
  });
  client.on('ready', () => {
    if (!unreachable) return;
    unreachable = false;
    log(`offload-worker: reached Redis at ${whereIs(client)}`);
  });
  let worker: Worker<JobData, string>;
  try {
    worker = new Worker<JobData, string>(options.queue, processor, {
      connection: client,
      prefix,
      concurrency,
      // BullMQ takes an undefined option as given, not as its default.
      ...(options.stalledInterval === undefined ? {} : { stalledInterval: options.stalledInterval }),
      ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration }),
      ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
    });
  } catch (error) {
    // A BullMQ check we do not make ourselves: leave no connection open behind the error.
    clearInterval(sweep);
    client.disconnect();
    throw error;
  }
  worker.on('error', () => {});
  // Counts the worker processes connected to the queue (a refused job is final once each has refused it).
  const counter = new Queue(options.queue, { connection: client, prefix });
  counter.on('error', () => {});

  const sub = connect(options.connection, 'offload-worker-cancel');
  sub.on('error', () => {});
  sub.on('message', (_channel: string, text: string) => {
    const msg = readControl(text);
    if (msg?.c === 'pull') running.get(msg.id)?.pull?.(msg.n);
    else if (msg?.c === 'cancel') {
      cancelled.add(msg.id);
      if (cancelled.size > RECENT_CANCELS) cancelled.delete(cancelled.values().next().value as string);
      running.get(msg.id)?.cancel();
    }
  });
  const ready = Promise.all([worker.waitUntilReady(), sub.subscribe(cancelChannel(prefix, options.queue))]).then(() => {});
  ready.catch(() => {});

  return {
    ready,
    async close() {
      clearInterval(sweep);
      await worker.close();
      await counter.close().catch(() => {});
      await Promise.all([...executors.values()].map(({ ex }) => ex.shutdown({ cancelPending: true, cancelRunning: true })));
      // BullMQ leaves a connection it was given open: close ours.
      await Promise.all([close(sub), close(client)]);
    },
  };
}

/** Check `startWorker()`'s options before anything connects. */
function checkWorkerOptions(options: StartWorkerOptions): void {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('startWorker() needs options with `connection` and `queue`.');
  checkQueueName(options.queue);
  checkConnection(options.connection);
  checkPrefix(options.prefix);
  checkInteger('concurrency', options.concurrency, 1);
  checkInteger('stalledInterval', options.stalledInterval, 1);
  checkInteger('lockDuration', options.lockDuration, 1);
  checkInteger('maxStalledCount', options.maxStalledCount, 0);
  if (options.root !== undefined && typeof options.root !== 'string' && !(options.root instanceof URL))
    throw new InvalidArgumentError(`Option "root" must be a directory's path or URL; got ${String(options.root)}.`);
  if (options.log !== undefined && typeof options.log !== 'function') throw new InvalidArgumentError('Option "log" must be a function.');
}

// Integers as core's option checks take them (any size: cancelGrace 1e20 is a valid option).
const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isFlag = (v: unknown): boolean => v === undefined || v === 1;

/**
 * The job's data if it has the shape an Offload executor writes, with its module URL normalized;
 * otherwise what is wrong with it. Anyone with the Redis connection can edit a job's data
 * (`job.updateData`): a field out of its range (a stream's credit below 1, say) would leave the
 * job running forever on this machine, so each one is checked.
 */
function readJobData(data: unknown): JobData | string {
  const d = data as JobData | null;
  if (typeof d !== 'object' || d === null || typeof d.m !== 'string' || typeof d.a !== 'string') return 'it has no task module and arguments';
  let m: string;
  try {
    m = new URL(d.m).href;
  } catch {
    return 'its task module is not a URL';
  }
  if (!isInt(d.g, 0)) return 'its cancelGrace (g) is not an integer >= 0';
  if (!isFlag(d.c) || !isFlag(d.r)) return 'its flags (c, r) are not 1 or absent';
  if (d.i !== undefined && typeof d.i !== 'string') return 'its init arguments (i) are not encoded';
  if (d.t !== undefined && !isInt(d.t, 1)) return 'its timeout (t) is not an integer >= 1';
  if (d.s !== undefined && !isInt(d.s, 1)) return "its stream's highWaterMark (s) is not an integer >= 1";
  if (d.d !== undefined && !isInt(d.d, 1)) return "its stream's idleTimeout (d) is not an integer >= 1";
  if (d.w !== undefined && !isInt(d.w, 1)) return 'its concurrentTasksPerWorker (w) is not an integer >= 1';
  if (d.x !== undefined && !(Array.isArray(d.x) && d.x.every((r) => typeof r === 'string'))) return 'its list of refusals (x) is not a list of strings';
  return { ...d, m };
}

/** Where a client connects, for a log line (no user name or password). */
const whereIs = (client: Redis): string => {
  const o = client.options;
  return o.path ?? `${o.host ?? '127.0.0.1'}:${o.port ?? 6379}`;
};

/** Jobs of one kind share a local executor: same module, init, cancelGrace and concurrentTasksPerWorker. */
const kindOf = (d: JobData): string => `${d.m}\0${d.i ?? ''}\0${d.g}\0${d.w ?? 1}`;

function serializationOfResult(name: string, error: unknown): Error {
  return new SerializationError(`The result of task "${name}" cannot be sent back to the caller: ${(error as Error).message}`, { cause: error });
}
