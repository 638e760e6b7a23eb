/**
 * @offload/browser: an Offload executor over browser module Web Workers.
 * The transport is core's shared Web Worker transport; this package adds the
 * browser's worker options and its capability flags.
 *
 * ```ts
 * import { createExecutor } from '@offload/browser';
 * const ex = createExecutor<Tasks>(new URL('./tasks.js', import.meta.url));
 * ```
 * @module
 */
import { type Capabilities, Executor, type ExecutorOptions, InvalidArgumentError, type TaskMap } from '@offload/core';
import { moduleHref, webSpawn } from '@offload/core/web';
import { explainLoadFailures } from './load-failure.js';

export * from '@offload/core';

/** What the browser backend can do. */
export const capabilities: Capabilities = {
  backend: 'browser',
  transfer: true,
  parallel: true,
  killRunning: true,
  isolation: 'thread',
  resourceLimits: false,
  localWorkers: true,
  killMethod: 'worker.terminate() (stops the worker at once, even in a loop)',
  startup: '~45-85 ms per worker in Chromium (a new isolate that fetches and evaluates the module graph)',
  prefetch:
    'claim slots in a SharedArrayBuffer on cross-origin isolated pages (COOP + COEP headers); otherwise none: each worker gets only the tasks it runs at once',
};

/** Options of the browser executor. */
export interface BrowserOptions extends ExecutorOptions {
  /** Worker name, shown in devtools; the worker id is appended. */
  name?: string;
  /** Credentials mode used to fetch a cross-origin task module. */
  credentials?: RequestCredentials;
}

/**
 * Something that makes one module Worker, for bundlers that only recognise the
 * literal `new Worker(new URL('./tasks.js', import.meta.url), { type: 'module' })`.
 */
export type WorkerSource = URL | string | ((context: { workerId: number }) => Worker);

const base = (): string | undefined =>
  (globalThis as { document?: { baseURI?: string } }).document?.baseURI ?? (globalThis as { location?: { href?: string } }).location?.href;

/** A relative reference is resolved against the page (or the worker's location). */
const toUrl = (moduleUrl: URL | string): string => moduleHref(moduleUrl, (reference) => new URL(reference, base()).href);

/**
 * Create an executor whose workers are module Web Workers running `module` (a
 * module that calls `expose()`): a URL, e.g. `new URL('./tasks.js', import.meta.url)`,
 * or a function that makes the Worker.
 */
export function createExecutor<T extends TaskMap = TaskMap>(module: WorkerSource, options: BrowserOptions = {}): Executor<T> {
  const { name, credentials, ...rest } = options;
  if (typeof Worker !== 'function') {
    throw new InvalidArgumentError('@offload/browser needs Web Workers. On Node.js use @offload/node-worker; on Deno and Bun, @offload/deno-bun.');
  }
  let create: (context: { workerId: number }) => Worker;
  if (typeof module === 'function') create = module;
  else {
    const url = toUrl(module);
    const init: WorkerOptions = { type: 'module', ...(credentials ? { credentials } : {}) };
    create = ({ workerId }) => {
      const worker = new Worker(url, { ...init, name: `${name ?? 'offload'}-${workerId}` });
      explainLoadFailures(worker, url, credentials);
      return worker;
    };
  }
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return new Executor<T>(webSpawn(create), capabilities, rest, cores ?? 4);
}
