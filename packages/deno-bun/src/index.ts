/**
 * @offload/deno-bun: an Offload executor over the module Web Workers of Deno
 * and Bun. The transport is core's shared Web Worker transport; this package
 * only adds each runtime's worker options and its capability flags.
 *
 * ```ts
 * import { createExecutor } from '@offload/deno-bun';
 * await using ex = createExecutor<Tasks>(new URL('./tasks.ts', import.meta.url));
 * ```
 * @module
 */
import { type Capabilities, Executor, type ExecutorOptions, InvalidArgumentError, type TaskMap } from '@offload/core';
import { fileHref, moduleHref, relativePathHint, webSpawn } from '@offload/core/web';
import type { LoadMessage } from './worker.js';

export * from '@offload/core';

/**
 * The few runtime globals this package reads, declared here so that neither
 * Deno's nor Bun's (nor Node's) type definitions enter the program.
 */
interface RuntimeGlobals {
  Deno?: { version?: { deno?: string } };
  Bun?: { version?: string };
  process?: { cwd?: () => string; getBuiltinModule?: (id: 'node:fs') => { existsSync(path: URL): boolean } | undefined };
  navigator?: { hardwareConcurrency?: number };
  Worker?: new (url: string, options: Record<string, unknown>) => Worker;
}
const g = globalThis as unknown as RuntimeGlobals;

/** The runtime this module was loaded in. */
export const runtime: 'deno' | 'bun' | 'other' = g.Bun ? 'bun' : g.Deno ? 'deno' : 'other';

const shared = {
  backend: 'deno-bun',
  transfer: true,
  parallel: true,
  killRunning: true,
  isolation: 'thread',
  resourceLimits: false,
  localWorkers: true,
  prefetch: 'claim slots in a SharedArrayBuffer: short tasks are sent ahead and taken back when another worker is free',
} as const;

/** What the backend can do on Deno. */
export const denoCapabilities: Capabilities = {
  ...shared,
  // Deno 2.9 does not interrupt a Web Worker stuck in synchronous code on terminate()
  // (denoland/deno#35657): the thread runs on, burning a core and keeping the process alive.
  killRunning: false,
  killMethod:
    'worker.terminate(): the task is rejected and the worker replaced at once, but Deno 2.9 does not interrupt a worker stuck in a synchronous loop (it runs to its end and keeps the process alive); async tasks stop at their next await',
  startup: '~25-45 ms per worker (a new V8 isolate that loads the module graph)',
};

/** What the backend can do on Bun. */
export const bunCapabilities: Capabilities = {
  ...shared,
  killMethod: 'worker.terminate() (stops the JavaScriptCore VM at once, even in a loop)',
  startup: '~7-15 ms per worker (a new JavaScriptCore VM)',
};

/** Capabilities on the current runtime (the flags are the same on both; the docs strings differ). */
export const capabilities: Capabilities = runtime === 'bun' ? bunCapabilities : denoCapabilities;

/** Options of Bun's Worker constructor that Offload passes through. Ignored by Deno. */
export interface BunWorkerOptions {
  /** Bun: a smaller JavaScriptCore heap per worker (less memory, slower). */
  smol?: boolean;
  /** Bun: modules loaded in each worker before the task module (e.g. polyfills, instrumentation). */
  preload?: string | string[];
  /** Bun: the workers' `process.env`. Default: a copy of the parent's. */
  env?: Record<string, string>;
  /** Bun: extra `process.argv` entries in each worker. */
  argv?: string[];
}

/** Options of the Deno/Bun executor. */
export interface DenoBunOptions extends ExecutorOptions, BunWorkerOptions {
  /** Worker name, shown in debuggers and error messages; the worker id is appended. */
  name?: string;
}

/** The worker entry that loads the task module (./worker.ts when this file runs from source). */
const workerEntry = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url).href;

const cwd = (): string => g.process?.cwd?.() ?? '/';

/** Does the file exist? Through node:fs, which Deno and Bun both have; false when it cannot tell. */
const fileExists = (url: URL): boolean => g.process?.getBuiltinModule?.('node:fs')?.existsSync(url) ?? false;

/**
 * A file path is resolved against the working directory; a `.js` file that
 * does not exist is loaded from its `.ts` sibling when that one does.
 */
const toUrl = (moduleUrl: URL | string): string => moduleHref(moduleUrl, (path) => fileHref(path, cwd()), fileExists);

/**
 * Create an executor whose workers are Deno or Bun module Web Workers running
 * `moduleUrl` (a module that calls `expose()`; `.ts` works on both runtimes).
 * On Deno, workers get the permissions of the main program (run it with at
 * least `--allow-read` for the task module).
 */
export function createExecutor<T extends TaskMap = TaskMap>(moduleUrl: URL | string, options: DenoBunOptions = {}): Executor<T> {
  const { name, smol, preload, env, argv, ...rest } = options;
  const WorkerCtor = g.Worker;
  if (runtime === 'other' || typeof WorkerCtor !== 'function') {
    throw new InvalidArgumentError('@offload/deno-bun runs on Deno and Bun. On Node.js use @offload/node-worker; in browsers, @offload/browser.');
  }
  const url = toUrl(moduleUrl);
  const loadHint = relativePathHint(moduleUrl, url.startsWith('file:') ? decodeURIComponent(new URL(url).pathname) : url, cwd());
  const bun = Object.fromEntries(Object.entries(runtime === 'bun' ? { smol, preload, env, argv } : {}).filter(([, v]) => v !== undefined));
  const spawn = webSpawn(({ workerId }) => {
    const worker = new WorkerCtor(workerEntry, { type: 'module', name: `${name ?? 'offload'}-${workerId}`, ...bun });
    worker.postMessage({ offloadTaskModule: url } satisfies LoadMessage);
    return worker;
  }, loadHint);
  return new Executor<T>(spawn, capabilities, rest, g.navigator?.hardwareConcurrency ?? 4);
}
