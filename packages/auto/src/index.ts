/**
 * offload: the Offload executor for whatever runtime imports it. Package
 * `exports` conditions pick the backend: worker_threads on Node, Web Workers
 * on Deno, Bun and browsers. This file only carries the shared types, derived
 * from the backends' own so that they cannot drift apart.
 *
 * ```ts
 * import { createExecutor } from 'offload';
 * ```
 * @module
 */
import type { BrowserOptions, createExecutor as browserCreateExecutor } from '@offload/browser';
import type { Capabilities, Executor, TaskMap } from '@offload/core';
import type { DenoBunOptions, createExecutor as denoBunCreateExecutor } from '@offload/deno-bun';

export * from '@offload/core';

/**
 * The options `createExecutor` takes on every runtime: those all backends
 * share (every executor option of `@offload/core`, and the workers' `name`).
 * Computed from the option types of the Web Worker backends, whose declarations
 * need no runtime's own types; the type tests check that `@offload/node-worker`
 * takes exactly these too. Runtime-specific options stay with each backend.
 */
export type OffloadOptions = Pick<DenoBunOptions, keyof DenoBunOptions & keyof BrowserOptions>;

/** The task module, as every backend takes it: a URL, or a string (a URL or a path). */
export type ModuleLocation = Extract<Parameters<typeof denoBunCreateExecutor>[0], Parameters<typeof browserCreateExecutor>[0]>;

/** What the backend picked for this runtime can do. */
export declare const capabilities: Capabilities;

/** Create an executor on the backend picked for this runtime. */
export declare function createExecutor<T extends TaskMap = TaskMap>(moduleUrl: ModuleLocation, options?: OffloadOptions): Executor<T>;
