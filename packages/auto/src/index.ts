/**
 * offload: the Offload executor for whatever runtime imports it. Package
 * `exports` conditions pick the backend: worker_threads on Node, Web Workers
 * on Deno, Bun and browsers. This file only carries the shared types.
 *
 * ```ts
 * import { createExecutor } from 'offload';
 * ```
 * @module
 */
import type { Capabilities, Executor, ExecutorOptions, TaskMap } from '@offload/core';

export * from '@offload/core';

/** What the backend picked for this runtime can do. */
export declare const capabilities: Capabilities;

/** Create an executor on the backend picked for this runtime. */
export declare function createExecutor<T extends TaskMap = TaskMap>(moduleUrl: URL | string, options?: ExecutorOptions): Executor<T>;
