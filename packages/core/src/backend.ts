/**
 * Building blocks for backends that do not run on the core scheduler (a
 * distributed queue, for instance): settle and bind Futures, encode errors,
 * validate options, and the priority queue. Not for application code.
 * @module
 */
import { bindFuture, type CancelOwner, type Future, settleFuture } from './future.js';
import { attachSink, StreamIterator, type StreamingFuture, type StreamSink, streamingOf, type TaskStream } from './stream.js';

export type { CancelOwner } from './future.js';
export { checkTaskOptions, type ResolvedOptions, resolveOptions } from './options.js';
export { type ChunkResult, decodeError, type EncodedError, encodeError } from './protocol.js';
export { type Queued, TaskQueue } from './queue.js';
export { serializationFailure } from './serialization.js';
export { checkHighWaterMark, checkIdleTimeout, DEFAULT_HIGH_WATER_MARK, StreamIterator, StreamSink } from './stream.js';

/** Settle a Future from its backend. Returns false when it had already settled (the outcome is dropped). */
export function settle(future: Future<unknown>, state: 'fulfilled' | 'rejected' | 'cancelled', outcome: unknown): boolean {
  return settleFuture(future, state, outcome);
}

/** Tell a Future who runs it: `cancel()` calls `owner.cancel(key, reason)`, `state` asks `owner.started(key)`. */
export function bind<K>(future: Future<unknown>, owner: CancelOwner<K>, key: K): void {
  bindFuture(future, owner as CancelOwner<never>, key);
}
export { isProxyReserved } from './task-names.js';

/** Give a StreamingFuture the sink its items are delivered to. */
export function attach(future: StreamingFuture<unknown>, sink: StreamSink): void {
  attachSink(future, sink);
}

/**
 * Once a stream from `executor.stream()` has ended: whether its task was a
 * generator (its items were streamed) rather than a plain task (its one result
 * was the item).
 */
export function isGeneratorStream(stream: TaskStream<unknown>): boolean {
  return stream instanceof StreamIterator && streamingOf(stream);
}
