/**
 * Worker side of start-up: loading the task module and telling the executor at
 * once when that module fails to import or never calls `expose()`, instead of
 * letting the executor wait for `startTimeout` or report a bare exit.
 *
 * Two ways in:
 * - a backend's bootstrap (Node worker thread, child process, Deno and Bun
 *   workers) calls {@link loadTaskModule} with the module's URL;
 * - a Worker made straight on the task module (browsers, where a bundler needs
 *   the literal `new Worker(new URL('./tasks.js', import.meta.url))`) has no
 *   bootstrap: `@offload/core/worker` calls {@link watchForExpose} when it is
 *   evaluated, which checks once the worker's module graph has evaluated.
 *   A module that does not import `@offload/core/worker` at all cannot be seen
 *   this way: it is reported by `startTimeout`.
 *
 * The state lives in `Symbol.for` slots of the global object, so it holds
 * across two copies of `@offload/core` (the backend's and the task module's).
 * @module
 */
// Vitest's browser mode rewrites every import() into `__vitest_browser_runner__.wrapDynamicImport(...)`,
// which a Worker it did not make lacks; it leaves alone a file that mentions wrapDynamicImport, as this one does.
import { WorkerInitError } from './errors.js';
import { type Batch, encodeError, type FromWorker, packBatch } from './protocol.js';

/** Set by `expose()` when it starts serving this worker. */
const SERVED = Symbol.for('offload.served');
/** Set by {@link loadTaskModule}: a bootstrap is loading the module and checks it itself. */
const LOADER = Symbol.for('offload.loader');
/** The endpoint slot of `worker.ts` (a bootstrap's installed endpoint). */
const ENDPOINT = Symbol.for('offload.endpoint');

type Slots = Record<symbol, unknown>;
const slots = globalThis as unknown as Slots;

/** Record that this worker's task module called `expose()` and is being served. */
export function markExposed(): void {
  slots[SERVED] = true;
}

const notExposed = (module: string): WorkerInitError =>
  new WorkerInitError(
    `The task module ${module} loaded without calling expose(): a task module must call expose({ ...tasks }) from '@offload/core/worker' while it loads (at top level, after any top-level await).`,
  );

/** Post `fatal` (phase `load`) through the installed endpoint, or the Web Worker's `postMessage`. */
function postLoadFailure(error: unknown): void {
  const batch = packBatch<FromWorker>([{ t: 'fatal', error: encodeError(error), phase: 'load' }]);
  const endpoint = slots[ENDPOINT] as { post(batch: Batch<FromWorker>, transfer: Transferable[]): void } | undefined;
  if (endpoint) endpoint.post(batch, []);
  else (globalThis as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(batch, []);
}

/**
 * Import a task module in a worker (registering tsx's ESM loader first when
 * `tsxUrl` is given) and check that it called `expose()` by the time its
 * evaluation finished (top-level await included). When the import throws, or
 * `expose()` was not called, post a `fatal` message with `phase: 'load'` so the
 * executor rejects the waiting tasks with a `WorkerInitError` at once; the
 * executor then stops the worker.
 *
 * Called by the backends' worker bootstraps; resolves with whether the module
 * is being served. `url` may be a promise (a bootstrap that learns the URL from
 * a first message): call this synchronously while the bootstrap evaluates, so
 * that the check of `@offload/core/worker` for Workers without a bootstrap
 * stands down.
 */
export async function loadTaskModule(moduleUrl: string | PromiseLike<string>, tsxUrl?: string): Promise<boolean> {
  slots[LOADER] = true;
  let url = typeof moduleUrl === 'string' ? moduleUrl : '(unknown)';
  try {
    url = await moduleUrl;
    if (tsxUrl) {
      const api = (await import(tsxUrl)) as { register?: () => void; default?: { register?: () => void } };
      (api.register ?? api.default?.register)?.();
    }
    await import(url);
  } catch (error) {
    postLoadFailure(error);
    return false;
  }
  if (slots[SERVED] === true) return true;
  postLoadFailure(notExposed(url));
  return false;
}

interface WebWorkerScope {
  Deno?: unknown;
  WorkerGlobalScope?: new () => unknown;
  self?: unknown;
  location?: { href?: string };
  importScripts?: (...urls: string[]) => void;
  postMessage?: unknown;
}

/** Is this a module worker? `importScripts()` with no URL is a no-op in a classic worker and throws in a module worker. */
function isModuleWorker(g: WebWorkerScope): boolean {
  if (typeof g.importScripts !== 'function') return true;
  try {
    g.importScripts();
    return false;
  } catch {
    return true;
  }
}

/**
 * Called once when `@offload/core/worker` is evaluated. In a Web Worker that no
 * bootstrap loads (a browser Worker made on the task module itself), post the
 * `fatal` load message when the worker's module graph has evaluated without
 * `expose()` having been called:
 * - right after the synchronous evaluation (a timer) when `expose()` was
 *   already called, nothing else happens;
 * - otherwise, in a module worker, `import(location.href)` (the worker's own
 *   entry module, already in its module map) settles when the graph's
 *   top-level awaits are done; if it fulfils and `expose()` still was not
 *   called, the failure is posted. If it rejects, the module threw while
 *   loading and the Worker's `error` event reports that;
 * - in a classic worker (a bundler's IIFE output), which has no top-level
 *   await, the first check is final.
 *
 * Not on Deno (see below) nor Bun (no `WorkerGlobalScope`): @offload/deno-bun loads
 * the module through {@link loadTaskModule}.
 */
export function watchForExpose(): void {
  const g = globalThis as unknown as WebWorkerScope & Slots;
  // Deno settles import() of a module still in its top-level await at once (a spec deviation), so
  // the check would misfire there; Deno and Bun workers are loaded by @offload/deno-bun's bootstrap.
  if (g[LOADER] || g[ENDPOINT] || g.Deno) return;
  const scope = g.WorkerGlobalScope;
  if (typeof scope !== 'function' || !(g.self instanceof scope) || typeof g.postMessage !== 'function') return;
  const href = g.location?.href;
  if (!href) return;
  const check = (): void => {
    if (g[SERVED] !== true && !g[LOADER]) postLoadFailure(notExposed(href));
  };
  setTimeout(() => {
    if (g[SERVED] === true || g[LOADER]) return;
    if (!isModuleWorker(g)) {
      check();
      return;
    }
    try {
      import(/* @vite-ignore */ /* webpackIgnore: true */ href).then(check, () => {});
    } catch {
      // A test runner rewrote import() into something this worker lacks: leave it to startTimeout.
    }
  }, 0);
}
