/**
 * Entry point of every child process: installs the IPC endpoint, then has
 * core's `loadTaskModule` register tsx for TypeScript task modules and import
 * the task module (which calls expose()), reporting a module that fails to
 * import or never calls expose().
 * @module
 */
import { pathToFileURL } from 'node:url';
import { loadTaskModule } from '@offload/core/worker';

const send = process.send?.bind(process);
if (!send) throw new Error('@offload/child-process: this file is started by the executor, not run directly.');

/** Resolves once everything written to `stream` so far has been handed to the OS. */
const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));

(globalThis as Record<symbol, unknown>)[Symbol.for('offload.endpoint')] = {
  post: (batch: unknown) => send(batch),
  listen: (fn: (batch: unknown) => void) => process.on('message', fn),
  // After a graceful `close`: exit once stdout and stderr are written out (process.exit() alone drops what a pipe has not taken yet).
  close: () => {
    void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(0));
  },
};

const [module, tsx] = process.argv.slice(2) as [string, string | undefined];
const served = await loadTaskModule(module.startsWith('file:') || module.includes('://') ? module : pathToFileURL(module).href, tsx);
if (!served) {
  // The `fatal` message is on its way: stay until the executor stops this process
  // (an exit now could reach it before the message does), or until it goes away.
  process.on('message', () => {});
  process.once('disconnect', () => process.exit(1));
}
