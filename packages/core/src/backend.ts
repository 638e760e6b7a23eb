/**
 * Building blocks for backends that do not run on the core scheduler (a
 * distributed queue, for instance): create Futures it alone can settle, encode errors,
 * validate options, and the priority queue. Not for application code.
 * @module
 */
import { bindFuture, type CancelOwner, type Future, settleFuture } from './future.js';
import { newTaskFuture, StreamIterator, type StreamingFuture, type StreamSink, streamingOf, type TaskStream } from './stream.js';

export type { CancelOwner } from './future.js';
export { checkCall, checkMapOptions, checkTaskOptions, type ResolvedOptions, resolveOptions } from './options.js';
export { type ChunkResult, decodeError, type EncodedError, encodeError } from './protocol.js';
export { type Queued, TaskQueue } from './queue.js';
export { serializationFailure } from './serialization.js';
export { checkHighWaterMark, checkIdleTimeout, DEFAULT_HIGH_WATER_MARK, StreamIterator, StreamSink } from './stream.js';
export { createTaskProxy, isProxyReserved } from './task-names.js';

/**
 * A Future and the only means to settle it and tell it who runs it. A backend
 * keeps the handle to itself and hands out `future`: code that holds the
 * Future alone (an application, another backend) cannot settle or rebind it.
 */
export interface FutureHandle<F extends Future<unknown> = Future<unknown>> {
  /** The Future to give the caller. */
  readonly future: F;
  /** Settle the Future. Returns false when it had already settled (the outcome is dropped). */
  settle(state: 'fulfilled' | 'rejected' | 'cancelled', outcome: unknown): boolean;
  /** Tell the Future who runs it: `cancel()` calls `owner.cancel(key, reason)`, `state` asks `owner.started(key)`. */
  bind<K>(owner: CancelOwner<K>, key: K): void;
}

function handle<F extends Future<unknown>>(future: F): FutureHandle<F> {
  return {
    future,
    settle: (state, outcome) => settleFuture(future, state, outcome),
    bind: (owner, key) => bindFuture(future, owner as CancelOwner<never>, key),
  };
}

/** A new pending Future, with the handle that settles it. */
export function createFuture(): FutureHandle {
  return handle(newTaskFuture());
}

/** A new pending Future that can also be iterated as a stream of the items delivered to `sink`, with its handle. */
export function createStreamingFuture(sink: StreamSink): FutureHandle<StreamingFuture<unknown>> {
  return handle(newTaskFuture(sink) as StreamingFuture<unknown>);
}

/**
 * Once a stream from `executor.stream()` has ended: whether its task was a
 * generator (its items were streamed) rather than a plain task (its one result
 * was the item).
 */
export function isGeneratorStream(stream: TaskStream<unknown>): boolean {
  return stream instanceof StreamIterator && streamingOf(stream);
}
