/**
 * InlineExecutor: the same contract on the current event loop, with a
 * concurrency limit. For I/O-bound async functions (the asyncio side of the
 * seeds), tests, and environments without workers. Arguments and results are
 * structured-cloned exactly as they would be for a worker, so code behaves the
 * same when it moves to a real backend.
 * @module
 */
import { InvalidArgumentError, WorkerInitError } from './errors.js';
import { Executor } from './executor.js';
import { fileHref, moduleHref } from './module-url.js';
import { type ExecutorOptions, readExecutorOptions, type TaskMap } from './options.js';
import type { Batch, FromWorker } from './protocol.js';
import type { Capabilities, Spawn } from './transport.js';
import { EXPOSED, type ExposeOptions, serve } from './worker.js';

/** What InlineExecutor can do. */
export const inlineCapabilities: Capabilities = {
  backend: 'inline',
  transfer: true,
  parallel: false,
  killRunning: false,
  isolation: 'none',
  resourceLimits: false,
  localWorkers: true,
  killMethod: 'none: a running task is signalled and abandoned, it cannot be stopped',
  startup: 'none (same thread)',
  prefetch: 'claim slots in memory: tasks sent ahead are taken back when another virtual worker is free',
};

let instances = 0;

/**
 * Load the tasks for one virtual worker. A module URL is imported once per
 * worker (a distinct query string), so module state is per worker as it is
 * with real workers.
 */
async function loadTasks(source: string | TaskMap, workerId: number): Promise<{ tasks: TaskMap; options: ExposeOptions }> {
  if (typeof source !== 'string') {
    return { tasks: source, options: ((source as Record<symbol, unknown>)[EXPOSED] as ExposeOptions) ?? {} };
  }
  const url = new URL(source);
  url.searchParams.set('offload-inline-worker', `${++instances}.${workerId}`);
  const mod = (await import(/* @vite-ignore */ url.href)) as Record<string, unknown>;
  for (const value of Object.values(mod)) {
    if (value && typeof value === 'object' && EXPOSED in value) {
      return { tasks: value as TaskMap, options: (value as Record<symbol, unknown>)[EXPOSED] as ExposeOptions };
    }
  }
  throw new WorkerInitError(`The module ${String(source)} exports no object returned by expose(); export const tasks = expose({ ... }).`);
}

/**
 * The module's URL: a file path is resolved against the working directory
 * (Node, Deno, Bun), a relative reference in a browser against the page, as
 * those runtimes' backends do.
 * @throws InvalidArgumentError when it cannot be made an absolute URL.
 */
function inlineHref(source: URL | string): string {
  const g = globalThis as { process?: { cwd?: () => string }; document?: { baseURI?: string }; location?: { href?: string } };
  const cwd = g.process?.cwd?.();
  const page = g.document?.baseURI ?? g.location?.href;
  return moduleHref(source, (reference) => (cwd === undefined && page !== undefined ? new URL(reference, page).href : fileHref(reference, cwd ?? '/')));
}

function inlineSpawn(from: URL | string | TaskMap): Spawn {
  if (typeof from !== 'string' && (typeof from !== 'object' || from === null))
    throw new InvalidArgumentError(
      `InlineExecutor needs the object returned by expose(), or its module's URL or path; got ${from === undefined ? 'undefined' : typeof from}.`,
    );
  const source = typeof from === 'string' || from instanceof URL ? inlineHref(from) : from;
  return (events, { workerId }) => {
    let alive = true;
    let toWorker: ((data: unknown) => void) | undefined;
    const pending: unknown[] = [];
    loadTasks(source, workerId).then(
      ({ tasks, options }) => {
        if (!alive) return;
        serve(
          {
            post: (batch: Batch<FromWorker>, transfer) => {
              const copy = structuredClone(batch, { transfer });
              queueMicrotask(() => alive && events.message(copy));
            },
            listen: (fn) => {
              toWorker = fn;
            },
            // A graceful stop: nothing to flush on the caller's own event loop, so end at once.
            close: () => {
              if (!alive) return;
              alive = false;
              queueMicrotask(() => events.exit({}));
            },
          },
          tasks,
          options,
        );
        for (const b of pending.splice(0)) toWorker?.(b);
      },
      (error) => {
        if (alive) {
          alive = false;
          events.exit({ error });
        }
      },
    );
    return {
      post(batch, transfer) {
        const copy = structuredClone(batch, { transfer });
        queueMicrotask(() => {
          if (!alive) return;
          if (toWorker) toWorker(copy);
          else pending.push(copy);
        });
      },
      sharedMemory: true,
      terminate() {
        if (!alive) return;
        alive = false;
        queueMicrotask(() => events.exit({}));
      },
    };
  };
}

/**
 * Runs exposed tasks on the current event loop. `maxWorkers` x
 * `concurrentTasksPerWorker` bounds how many run at once. Given a module URL,
 * each virtual worker imports its own instance of the module (module state is
 * per worker, as with real workers); idle virtual workers are kept by default.
 *
 * ```ts
 * const ex = new InlineExecutor(tasks, { concurrentTasksPerWorker: 8 });
 * ```
 */
export class InlineExecutor<T extends TaskMap = TaskMap> extends Executor<T> {
  /** @param source the object returned by `expose()`, or the URL of a module that exports it. */
  constructor(source: URL | string | T, options: ExecutorOptions = {}) {
    super(inlineSpawn(source), inlineCapabilities, { idleTimeout: Number.POSITIVE_INFINITY, ...readExecutorOptions(options) }, 1);
  }
}

/** Create an {@link InlineExecutor}. */
export function createInlineExecutor<T extends TaskMap>(source: URL | string | T, options: ExecutorOptions = {}): InlineExecutor<T> {
  return new InlineExecutor<T>(source, options);
}
