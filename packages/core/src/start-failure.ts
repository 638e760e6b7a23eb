/**
 * Caller side of a worker's `fatal` message: the error its waiting tasks are
 * rejected with. A module that could not load (it threw while importing, or it
 * loaded without calling `expose()`) is told apart from an init function that
 * failed, and both name what to fix.
 * @module
 */
import { WorkerInitError } from './errors.js';
import { decodeError, type FromWorker } from './protocol.js';

/** The {@link WorkerInitError} for a worker's `fatal` message; `loadHint` (how the backend found the module) is added to a load failure's message. */
export function fatalError(msg: Extract<FromWorker, { t: 'fatal' }>, loadHint?: string): WorkerInitError {
  const cause = decodeError(msg.error);
  if (msg.phase !== 'load') return new WorkerInitError(`The worker's init function failed: ${msg.error.message}`, { cause });
  // The worker's own description (the module loaded without calling expose()).
  if (cause instanceof WorkerInitError) return cause;
  const hint = loadHint ? ` (${loadHint})` : '';
  return new WorkerInitError(`The worker could not load the task module: ${msg.error.name}: ${msg.error.message}${hint}`, { cause });
}
