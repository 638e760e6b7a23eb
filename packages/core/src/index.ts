/**
 * @offload/core: the executor contract every Offload backend implements.
 * Users import a backend's `createExecutor`; this module provides the types,
 * errors, combinators and the InlineExecutor.
 * @module
 */
export { asCompleted, type Completed, type ReturnWhen, type WaitResult, wait } from './combinators.js';
export {
  CancelledError,
  ExecutorShutdownError,
  InvalidArgumentError,
  OffloadError,
  type OffloadErrorCode,
  ProtocolError,
  QueueFullError,
  SerializationError,
  TaskNotFoundError,
  TimeoutError,
  WorkerCrashedError,
  WorkerInitError,
} from './errors.js';
export { Executor, type ShutdownOptions, type TaskProxy } from './executor.js';
export { Future, type FutureState } from './future.js';
export { createInlineExecutor, InlineExecutor, inlineCapabilities } from './inline.js';
export { MapIterator } from './map.js';
export type {
  ExecutorOptions,
  ExecutorStats,
  IsStreamTask,
  MapOptions,
  StreamItem,
  StreamOptions,
  TaskArgs,
  TaskMap,
  TaskName,
  TaskOptions,
  TaskResult,
  Transferred,
} from './options.js';
export { type Batch, type EncodedError, type FromWorker, PROTOCOL_VERSION, type ToWorker } from './protocol.js';
export { StreamingFuture, type TaskStream } from './stream.js';
export type { ProxyReservedName } from './task-names.js';
export type { Capabilities, Spawn, Transport, TransportEvents } from './transport.js';
