/**
 * The only thing a backend implements. The core owns queueing, futures, the
 * protocol, errors, timeouts, cancellation, recycling and crash recovery; a
 * transport only spawns, posts, listens and terminates.
 * @module
 */
import type { Batch, ToWorker } from './protocol.js';

/** What a transport reports back to the executor. */
export interface TransportEvents {
  /**
   * Data arrived from the worker: pass it on as it came. The executor reads the
   * protocol batches in it and ignores anything else the worker's code posted.
   */
  message(data: unknown): void;
  /**
   * The worker is gone (exited, crashed, failed to load, killed). Call once.
   * `error` describes why when the runtime says so; `exitCode` when there is one;
   * `stderr`, the first lines the worker wrote to stderr, when the backend has
   * them (a worker that exits while loading is reported with them).
   */
  exit(info: { error?: unknown; exitCode?: number; signal?: string; stderr?: string }): void;
}

/** One live worker, as seen by the executor. */
export interface Transport {
  /** Post a batch of protocol messages as it is. Must throw synchronously when the batch cannot be serialized. */
  post(batch: Batch<ToWorker>, transfer: Transferable[]): void;
  /** Stop the worker now. Resolves when it is gone; `exit` must still be reported. */
  terminate(): Promise<void> | void;
  /** Let an idle worker not keep the process alive (optional; Node only). */
  unref?(): void;
  /** Undo `unref` when work arrives. */
  ref?(): void;
  /**
   * The worker can share a SharedArrayBuffer with the executor (worker_threads,
   * Deno, Bun, cross-origin isolated pages). Only then are tasks sent ahead of
   * a running one, because only then can they be taken back (see claim slots).
   */
  sharedMemory?: boolean;
  /**
   * Added to the message of a task module that cannot load: how the backend
   * found the module (e.g. a relative path resolved against the working directory).
   */
  loadHint?: string;
}

/** Starts one worker. Called by the executor whenever it needs another. */
export type Spawn = (events: TransportEvents, context: { workerId: number }) => Transport;

/**
 * What a backend can and cannot do. The conformance suite skips tests only by
 * these flags, and the README's backends table is generated from them.
 */
export interface Capabilities {
  /** Backend name, e.g. `node-worker`. */
  backend: string;
  /** Transferables are moved (not copied) across the boundary. */
  transfer: boolean;
  /** Tasks run in parallel with the caller's event loop (not inline). */
  parallel: boolean;
  /** A running task can be stopped by terminating its worker. */
  killRunning: boolean;
  /** A crash of a worker (process.exit, uncaught error) is isolated from the caller. */
  isolation: 'thread' | 'process' | 'none';
  /** The worker shares the caller's memory limits; `resourceLimits` or equivalent are supported. */
  resourceLimits: boolean;
  /**
   * The executor's workers are its own: their count, their start-up and their
   * per-worker state are observable from the caller (`stats().spawnedWorkers`,
   * `minWorkers`/`idleTimeout`, a later task landing on the same worker).
   * False when tasks run on a shared pool of worker machines (BullMQ).
   */
  localWorkers: boolean;
  /** How a running task is stopped, for the docs. */
  killMethod: string;
  /** Rough start-up cost of one worker, for the docs. */
  startup: string;
  /** How tasks are sent ahead to a busy worker and taken back when another worker is free, for the docs. */
  prefetch: string;
}
