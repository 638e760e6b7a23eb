/**
 * Options of the BullMQ executor, the job data it writes, and the errors it
 * makes for jobs whose result can no longer arrive.
 * @module
 */
import { type ExecutorOptions, WorkerCrashedError } from '@offload/core';
import type { BackoffOptions } from 'bullmq';
import type { RedisConnection } from './connection.js';

/**
 * Options of `createExecutor()` for BullMQ. Of the core's options, the worker
 * machines' own settings do not apply to a caller: `maxWorkers`, `minWorkers`,
 * `idleTimeout` and `maxTasksPerWorker` are checked but ignored (a worker
 * machine's threads are set by `offload-worker --concurrency`);
 * `concurrentTasksPerWorker` is passed to the worker machines (each thread runs
 * up to that many of this caller's async tasks side by side); `cancelGrace`,
 * `taskTimeout` and `init` travel with each job.
 */
export interface BullExecutorOptions extends ExecutorOptions {
  /** Redis: a `redis://` URL or ioredis options. */
  connection: RedisConnection;
  /** Name of the BullMQ queue the workers (`offload-worker --queue`) serve. */
  queue: string;
  /** BullMQ key prefix. Default `bull`. */
  prefix?: string;
  /**
   * Jobs this executor keeps in BullMQ (waiting or running) at once; further
   * tasks wait in the caller, by priority, and count against `maxQueue`.
   * Default 256. Each job in flight costs a Redis round trip before the next
   * can take its place, so a small value limits throughput to about
   * `maxInFlight` jobs per round trip.
   */
  maxInFlight?: number;
  /** Runs of a job before its error is final (BullMQ `attempts`). A task's own error and a worker crash are retried; Offload's errors (timeout, cancel, a missing task) are not. Default 1. */
  attempts?: number;
  /** Delay between attempts (BullMQ `backoff`): ms, or `{ type: 'fixed' | 'exponential', delay }`. */
  backoff?: number | BackoffOptions;
  /**
   * How long Redis may be unreachable before the Futures of jobs in BullMQ
   * reject with `WorkerCrashedError` (their result can no longer be relied on to
   * arrive). Default 30000 ms. After a reconnect, jobs Redis no longer knows
   * (a restart without persistence) reject about a second later.
   */
  lostAfter?: number;
}

/** What a job carries (BullMQ's job name is the task name). */
export interface JobData {
  /** URL of the task module. */
  m: string;
  /** Arguments, encoded (see codec.ts). */
  a: string;
  /** 1 when `a` is a chunk of `map()` inputs. */
  c?: 1;
  /** Running-time limit in ms, enforced by the worker. */
  t?: number;
  /** `init` arguments, encoded. */
  i?: string;
  /** `cancelGrace` of the caller, in ms. */
  g: number;
  /** 1 when the caller listens to progress. */
  r?: 1;
  /** Run as a stream with this high-water mark (items flow as the caller grants credit). */
  s?: number;
  /** The stream's `idleTimeout` in ms, when it has one (enforced by the worker machine's executor). */
  d?: number;
  /** `concurrentTasksPerWorker` of the caller, when above 1. */
  w?: number;
  /** The worker machines that could not start this job and gave it back, one entry per refusal. */
  x?: string[];
}

/** The Future of a job whose result can no longer arrive. */
export function lostError(task: string, why: string): WorkerCrashedError {
  return new WorkerCrashedError(`The result of task "${task}" can no longer arrive: ${why}.`);
}

/** A job BullMQ failed itself (for example stalled more often than `maxStalledCount`): its worker machine died. */
export function stalledError(task: string, reason: string | undefined): WorkerCrashedError {
  return new WorkerCrashedError(
    `Task "${task}" failed in BullMQ: ${reason ?? 'no reason given'} (its worker process died or lost its lock, and the retry limit was reached).`,
  );
}
