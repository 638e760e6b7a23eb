/**
 * Worker side: `expose()` serves a module's task functions to an executor,
 * and `taskContext()` gives a running task its AbortSignal.
 *
 * ```ts
 * import { expose } from '@offload/core/worker';
 * export const tasks = expose({ isPrime, fib });
 * export type Tasks = typeof tasks;
 * ```
 * @module
 */
import type { TaskMap } from './options.js';
import { type FromWorker, packBatch } from './protocol.js';
import { type Endpoint, type ExposeOptions, flushPending, serve } from './serve.js';
import { markExposed, watchForExpose } from './worker-load.js';

export type { TaskMap, Transferred } from './options.js';
export { type Endpoint, type ExposeOptions, serve } from './serve.js';
export { type TaskContext, taskContext, transfer } from './task-context.js';
export { loadTaskModule } from './worker-load.js';

/** Global slot where a backend's worker bootstrap installs its {@link Endpoint}. */
export const ENDPOINT = Symbol.for('offload.endpoint');
/** Marks an object returned by `expose()`. */
export const EXPOSED = Symbol.for('offload.exposed');

type Wrappable = Record<string, unknown> | undefined | null;

/** Replace `obj[key]` (a function) by one that calls `before(...args)` first. */
function wrapBefore(obj: Wrappable, key: string, before: (args: unknown[]) => void): void {
  const original = obj?.[key];
  if (!obj || typeof original !== 'function') return;
  try {
    obj[key] = function (this: unknown, ...args: unknown[]) {
      before(args);
      return original.apply(this ?? obj, args);
    };
  } catch {}
}

type WebGlobals = Record<string | symbol, unknown> & {
  Bun?: { isMainThread?: boolean };
  Deno?: Record<string, unknown>;
  process?: Record<string, unknown> & { exitCode?: number | string };
};

/** Set once the self-end hooks are installed on this global (by any copy of this module). */
const HOOKED = Symbol.for('offload.selfEndHooks');
/** The `flushPending` of the copy of this module that serves the worker. */
const FLUSH = Symbol.for('offload.flushPending');

/** The global scope when this is a Web Worker that no backend bootstrap gave an endpoint; otherwise undefined. */
function webWorkerScope(): WebGlobals | undefined {
  const g = globalThis as unknown as WebGlobals;
  if (g[ENDPOINT]) return undefined;
  const scope = g.WorkerGlobalScope as (new () => unknown) | undefined;
  // Deno and browsers have WorkerGlobalScope; Bun's Web Workers do not, but say Bun.isMainThread === false.
  const inWorker = (typeof scope === 'function' && g.self instanceof scope) || g.Bun?.isMainThread === false;
  return inWorker && typeof g.postMessage === 'function' ? g : undefined;
}

/**
 * A Web Worker that ends itself gives its parent no event (Deno and browsers),
 * so `close()`, `process.exit()` and `Deno.exit()` are wrapped to flush pending
 * results and post a final `bye` first. Installed when this module is
 * evaluated, before the task module's own code runs, so that a module (or its
 * init) that ends its worker while starting is reported at once, not by
 * `startTimeout`. (Bun reports the end of a worker with its `close` event. In
 * Bun's Web Workers `parentPort.close()` does nothing; a task that wants its
 * worker gone calls `process.exit()`.)
 */
function hookSelfEnd(g: WebGlobals): void {
  if (g[HOOKED]) return;
  g[HOOKED] = true;
  const post = g.postMessage as (m: unknown, t: Transferable[]) => void;
  let said = false;
  /** Post pending results, then the final `bye` (once). */
  const bye = (code?: number): void => {
    if (said) return;
    said = true;
    try {
      (g[FLUSH] as (() => void) | undefined)?.();
      post(packBatch<FromWorker>([code === undefined ? { t: 'bye' } : { t: 'bye', code }]), []);
    } catch {}
  };
  const exitCode = (arg: unknown): number => {
    const n = Number(arg ?? g.process?.exitCode ?? 0);
    return Number.isInteger(n) ? n : 1;
  };
  wrapBefore(g, 'close', () => bye());
  wrapBefore(g.Deno, 'exit', (a) => bye(exitCode(a[0])));
  const wrapProcess = (p: unknown) => wrapBefore(p as Record<string, unknown>, 'exit', (a) => bye(exitCode(a[0])));
  const desc = g.Deno ? Object.getOwnPropertyDescriptor(globalThis, 'process') : undefined;
  if (desc?.get && desc.configurable) {
    // Deno builds its Node compatibility layer on the first read of `process` (~10 ms of worker
    // start-up): wrap process.exit on that first read instead of forcing it now.
    const getter = desc.get;
    Object.defineProperty(globalThis, 'process', {
      ...desc,
      get() {
        Object.defineProperty(globalThis, 'process', desc);
        const p = getter.call(this);
        wrapProcess(p);
        return p;
      },
    });
  } else wrapProcess(g.process);
}

/** The endpoint of a Web Worker (browser, Deno, Bun): the global `postMessage` and `message` events. */
function webEndpoint(): Endpoint | undefined {
  const g = webWorkerScope();
  if (!g) return undefined;
  hookSelfEnd(g);
  g[FLUSH] = flushPending;
  const post = g.postMessage as (m: unknown, t: Transferable[]) => void;
  const add = g.addEventListener as (type: string, fn: (e: MessageEvent) => void) => void;
  return {
    post: (batch, t) => post(batch, t),
    listen: (fn) => add('message', (e) => fn(e.data)),
    // Both post the final `bye` (wrapped above). Bun's Web Workers have no close(): they end with process.exit().
    close: () => {
      if (typeof g.close === 'function') (g.close as () => void)();
      else (g.process?.exit as ((code: number) => void) | undefined)?.(0);
    },
  };
}

/**
 * Serve `tasks` to the executor that started this worker, and return them
 * unchanged (typed) for `typeof` and for the inline executor. Imported in a
 * normal module (not a worker), it only returns the tasks.
 */
export function expose<T extends TaskMap>(tasks: T, options: ExposeOptions = {}): T {
  Object.defineProperty(tasks, EXPOSED, { value: options, enumerable: false, configurable: true });
  const endpoint = ((globalThis as Record<symbol, unknown>)[ENDPOINT] as Endpoint | undefined) ?? webEndpoint();
  if (endpoint) {
    markExposed();
    serve(endpoint, tasks, options);
  }
  return tasks;
}

// In a Web Worker made straight on the task module (no bootstrap), report a module that never calls expose().
watchForExpose();
// In a Web Worker, a task module (or its init) that ends the worker before it is served is reported at once.
{
  const scope = webWorkerScope();
  if (scope) hookSelfEnd(scope);
}
