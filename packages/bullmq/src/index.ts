/**
 * @offload/bullmq: the Offload executor contract across machines, on BullMQ
 * and Redis. Callers create an executor; each worker machine runs
 * `offload-worker` (or `startWorker()` from `@offload/bullmq/worker`).
 *
 * ```ts
 * import { createExecutor } from '@offload/bullmq';
 * await using ex = createExecutor<Tasks>(new URL('./tasks.js', import.meta.url), { connection: 'redis://127.0.0.1:6379', queue: 'primes' });
 * ```
 * @module
 */
import type { TaskMap } from '@offload/core';
import { BullExecutor } from './executor.js';
import type { BullExecutorOptions } from './options.js';

export * from '@offload/core';
export { BullExecutor, type ClusterStats, capabilities, DEFAULT_IN_FLIGHT } from './executor.js';
export type { BullExecutorOptions, JobData } from './options.js';
export { BULLMQ_DEFAULT_PRIORITY, BULLMQ_MAX_PRIORITY, toBullPriority } from './priority.js';
export { type OffloadWorker, type StartWorkerOptions, startWorker } from './worker.js';

/**
 * Create an executor whose tasks are jobs on BullMQ queue `options.queue`.
 * `moduleUrl` names the task module; the worker machines must have it at the
 * same location (the same image or checkout), under their `--root`.
 */
export function createExecutor<T extends TaskMap = TaskMap>(moduleUrl: URL | string, options: BullExecutorOptions): BullExecutor<T> {
  return new BullExecutor<T>(moduleUrl, options);
}
