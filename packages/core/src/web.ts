/**
 * The Web Worker transport shared by the browser, Deno and Bun backends: it
 * turns a factory of `Worker`s into the core's {@link Spawn}. The worker side
 * needs nothing from the backend: `expose()` finds the Web Worker scope itself.
 *
 * ```ts
 * import { Executor } from '@offload/core';
 * import { webSpawn } from '@offload/core/web';
 * const spawn = webSpawn(() => new Worker(moduleUrl, { type: 'module' }));
 * const ex = new Executor(spawn, capabilities, options);
 * ```
 *
 * How a worker's end is seen, per runtime:
 * - `terminate()` (the executor stopping it): reported as an exit at once; no
 *   runtime sends an event for it except Bun's `close`, which is then ignored.
 * - an uncaught error (or a module that fails to load): the `error` event. The
 *   default action is prevented (in Deno it would otherwise end the parent
 *   process), the worker is terminated (browsers would keep it running) and the
 *   exit is reported with the error.
 * - a message that cannot be deserialized (`messageerror`): its task can never
 *   settle, so the worker is terminated and reported as crashed.
 * - the worker ending itself (`self.close()`, `process.exit()`, `Deno.exit()`):
 *   browsers and Deno give the parent no event, so the worker side posts a final
 *   `bye` protocol message (handled by the executor as the exit); Bun also
 *   fires `close` with the exit code.
 * @module
 */
import { canShareMemory } from './claims.js';
import { SerializationError } from './errors.js';
import type { Spawn, TransportEvents } from './transport.js';

export { type FileExists, fileHref, moduleHref, relativePathHint, typeScriptSource } from './module-url.js';

/** What the transport uses of a Worker: the standard Web Worker API, plus Bun's `ref`/`unref`. */
export interface WebWorker {
  postMessage(message: unknown, transfer: Transferable[]): void;
  terminate(): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  /** Bun: keep the process alive while the worker runs. */
  ref?(): void;
  /** Bun: let the process exit while the worker is idle. */
  unref?(): void;
}

/** Makes one Worker for a worker id. */
export type WorkerFactory = (context: { workerId: number }) => WebWorker | Worker;

/** Turn the `error` event of a Worker into an Error (Bun puts a code frame in `message`). */
function eventError(event: Event): Error {
  const e = event as ErrorEvent;
  if (e.error instanceof Error) return e.error;
  const message = typeof e.message === 'string' ? e.message : '';
  const where = e.filename ? ` (${e.filename}${e.lineno ? `:${e.lineno}` : ''})` : '';
  if (message === '') {
    return new Error(`The worker failed${where}: its module could not be loaded or threw while loading (the browser gives no detail; see the console).`);
  }
  const line = /^(?:([A-Za-z]*Error)|error): (.+)$/m.exec(message);
  if (message.includes('\n') && line) {
    const error = new Error(line[2]);
    if (line[1]) Object.defineProperty(error, 'name', { value: line[1], configurable: true, writable: true });
    return error;
  }
  return new Error(`${message.replace(/^Uncaught /, '')}${where}`);
}

/**
 * Build the core {@link Spawn} for Web Workers made by `create`, e.g.
 * `() => new Worker(url, { type: 'module' })`. `loadHint` is added to the
 * message of a task module that cannot load (the transport's `loadHint`).
 */
export function webSpawn(create: WorkerFactory, loadHint?: string): Spawn {
  return (events: TransportEvents, context) => {
    const worker = create(context) as WebWorker;
    let gone = false;
    const exit = (info: { error?: unknown; exitCode?: number }): void => {
      if (gone) return;
      gone = true;
      events.exit(info);
    };
    const kill = (info: { error?: unknown }): void => {
      if (gone) return;
      try {
        worker.terminate();
      } catch {}
      exit(info);
    };
    worker.addEventListener('message', (e) => {
      if (!gone) events.message((e as MessageEvent).data);
    });
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      kill({ error: eventError(e) });
    });
    worker.addEventListener('messageerror', () => {
      kill({ error: new SerializationError('A message from the worker could not be deserialized, so its task could not settle; the worker was stopped.') });
    });
    // Bun only: the worker is gone (process.exit, uncaught error, terminate), with its exit code.
    worker.addEventListener('close', (e) => {
      const code = (e as Event & { code?: unknown }).code;
      exit(typeof code === 'number' ? { exitCode: code } : {});
    });
    return {
      post: (batch, transfer) => {
        if (!gone) worker.postMessage(batch, transfer);
      },
      terminate: () => kill({}),
      sharedMemory: canShareMemory(),
      ref: typeof worker.ref === 'function' ? () => worker.ref?.() : undefined,
      unref: typeof worker.unref === 'function' ? () => worker.unref?.() : undefined,
      loadHint,
    };
  };
}
