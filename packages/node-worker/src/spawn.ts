/**
 * Spawns one worker_threads Worker on a task module and adapts it to the
 * core's Transport: spawn, post, listen, terminate.
 * @module
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { type ResourceLimits, type SHARE_ENV, Worker } from 'node:worker_threads';
import { SerializationError, type Spawn } from '@offload/core';
import { moduleTarget } from '@offload/core/node';

/** worker_threads options passed through to each Worker. */
export interface ThreadOptions {
  /** V8 heap limits of each worker. */
  resourceLimits?: ResourceLimits;
  /** Environment of each worker: an object, or `SHARE_ENV` to share the parent's. Default: a copy of the parent's. */
  env?: Record<string, string | undefined> | typeof SHARE_ENV;
  /** Node options of each worker, e.g. `['--enable-source-maps']`. */
  execArgv?: string[];
  /** Thread name, shown in debuggers and profiles; the worker id is appended. */
  name?: string;
}

/**
 * Installs the endpoint in the worker, then has core's `loadTaskModule` load
 * tsx when the module is TypeScript, then the module, and report a module that
 * fails to import or never calls expose(). On `close` it ends the thread once
 * what it wrote to stdout and stderr has been handed to the parent.
 * Workers inherit the program's Node flags, and `--input-type=module` makes
 * this evaluated code an ES module: so it uses only what both module kinds
 * have (`import()`, no `require`).
 */
const BOOTSTRAP = `
import('node:worker_threads')
  .then(({ parentPort, workerData }) => {
    const flushed = (stream) => new Promise((resolve) => stream.write('', resolve));
    globalThis[Symbol.for('offload.endpoint')] = {
      post: (batch, transfer) => parentPort.postMessage(batch, transfer),
      listen: (fn) => parentPort.on('message', fn),
      close: () => Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(0)),
    };
    return import(workerData.loader).then((core) => core.loadTaskModule(workerData.module, workerData.tsx));
  })
  .catch((error) => process.nextTick(() => { throw error; }));
`;

/** URL of core's worker entry, as this package resolves it (the bootstrap imports it by URL). */
const LOADER = pathToFileURL(createRequire(import.meta.url).resolve('@offload/core/worker')).href;

/** Build the Spawn function for a module. */
export function spawnThread(moduleUrl: URL | string, options: ThreadOptions): Spawn {
  const { module, tsx, loadHint } = moduleTarget(moduleUrl);
  return (events, { workerId }) => {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { module, tsx, loader: LOADER },
      resourceLimits: options.resourceLimits,
      env: options.env,
      execArgv: options.execArgv,
      name: `${options.name ?? 'offload'}-${workerId}`,
      stdout: false,
      stderr: false,
    });
    let error: unknown;
    worker.on('message', (data) => events.message(data));
    worker.on('error', (e) => {
      error = e;
    });
    // A message that cannot be deserialized here would leave its task waiting forever: stop the worker, report it crashed.
    worker.on('messageerror', (e) => {
      error ??= new SerializationError('A message from the worker could not be deserialized, so its task could not settle; the worker was stopped.', {
        cause: e,
      });
      worker.terminate().catch(() => {});
    });
    worker.on('exit', (exitCode) => events.exit({ error, exitCode }));
    return {
      post: (batch, transfer) => worker.postMessage(batch, transfer),
      terminate: () => worker.terminate().then(() => {}),
      sharedMemory: true,
      ref: () => worker.ref(),
      unref: () => worker.unref(),
      loadHint,
    };
  };
}
