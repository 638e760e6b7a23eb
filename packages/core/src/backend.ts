/**
 * Building blocks for backends that do not run on the core scheduler (a
 * distributed queue, for instance): settle and bind Futures, encode errors,
 * validate options, and the priority queue. Not for application code.
 * @module
 */
import { bindFuture, type CancelOwner, type Future, settleFuture } from './future.js';

export type { CancelOwner } from './future.js';
export { checkTaskOptions, type ResolvedOptions, resolveOptions } from './options.js';
export { type ChunkResult, decodeError, type EncodedError, encodeError } from './protocol.js';
export { type Queued, TaskQueue } from './queue.js';
export { serializationFailure } from './serialization.js';

/** Settle a Future from its backend. Returns false when it had already settled (the outcome is dropped). */
export function settle(future: Future<unknown>, state: 'fulfilled' | 'rejected' | 'cancelled', outcome: unknown): boolean {
  return settleFuture(future, state, outcome);
}

/** Tell a Future who runs it: `cancel()` calls `owner.cancel(key, reason)`, `state` asks `owner.started(key)`. */
export function bind<K>(future: Future<unknown>, owner: CancelOwner<K>, key: K): void {
  bindFuture(future, owner as CancelOwner<never>, key);
}
export { isProxyReserved } from './task-names.js';
