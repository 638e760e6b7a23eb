/**
 * Entry point of every child process: installs the IPC endpoint, registers tsx
 * for TypeScript task modules, then imports the task module (which calls expose()).
 * @module
 */
import { pathToFileURL } from 'node:url';

const send = process.send?.bind(process);
if (!send) throw new Error('@offload/child-process: this file is started by the executor, not run directly.');

(globalThis as Record<symbol, unknown>)[Symbol.for('offload.endpoint')] = {
  post: (batch: unknown) => send(batch),
  listen: (fn: (batch: unknown) => void) => process.on('message', fn),
};

const [module, tsx] = process.argv.slice(2) as [string, string | undefined];
if (tsx) {
  const api = (await import(tsx)) as { register?: () => void; default?: { register: () => void } };
  (api.register ?? api.default?.register)?.();
}
await import(module.startsWith('file:') || module.includes('://') ? module : pathToFileURL(module).href);
