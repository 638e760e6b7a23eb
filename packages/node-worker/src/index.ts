/**
 * @offload/node-worker: an Offload executor over Node.js worker_threads.
 *
 * ```ts
 * import { createExecutor } from '@offload/node-worker';
 * await using ex = createExecutor<Tasks>(new URL('./tasks.js', import.meta.url));
 * ```
 * @module
 */
import { availableParallelism } from 'node:os';
import { type Capabilities, Executor, type ExecutorOptions, type TaskMap } from '@offload/core';
import { spawnThread, type ThreadOptions } from './spawn.js';

export * from '@offload/core';

/** What the worker_threads backend can do. */
export const capabilities: Capabilities = {
  backend: 'node-worker',
  transfer: true,
  parallel: true,
  killRunning: true,
  isolation: 'thread',
  resourceLimits: true,
  localWorkers: true,
  killMethod: 'worker.terminate() (stops JavaScript at once, even in a loop)',
  startup: '~10-30 ms per worker (a new V8 isolate)',
  prefetch: 'claim slots in a SharedArrayBuffer: short tasks are sent ahead and taken back when another worker is free',
};

/** Options of the worker_threads executor. */
export interface NodeWorkerOptions extends ExecutorOptions, ThreadOptions {}

/**
 * Create an executor whose workers are worker_threads running `moduleUrl`
 * (a module that calls `expose()`). TypeScript modules (.ts, .mts) are loaded
 * through tsx, which must be installed in the project.
 */
export function createExecutor<T extends TaskMap = TaskMap>(moduleUrl: URL | string, options: NodeWorkerOptions = {}): Executor<T> {
  const { resourceLimits, env, execArgv, name, ...rest } = options;
  const spawn = spawnThread(moduleUrl, { resourceLimits, env, execArgv, name });
  return new Executor<T>(spawn, capabilities, rest, availableParallelism());
}
