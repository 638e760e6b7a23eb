/**
 * The wire protocol between an executor and its workers: one tagged union per
 * direction. Every post carries an array of messages, so that several tasks or
 * results that are ready in the same tick cost one structured clone and one event.
 * @module
 */
import { offloadErrorClasses } from './errors.js';

/** Protocol version; both sides check it in the handshake. */
export const PROTOCOL_VERSION = 1;

/** Messages from the executor to a worker. */
export type ToWorker =
  /**
   * Handshake answer: start the worker, running `init(...args)` first. `claims`
   * is the worker's claim-slot memory when it shares memory (see claims.ts).
   */
  | { t: 'start'; v: number; init: unknown[] | undefined; concurrency: number; claims?: SharedArrayBuffer }
  /**
   * Run task `name` with `args`; the result comes back as `ok` or `err` with the same id.
   * With `c: 1`, `args` is a chunk of inputs: the task is called once per input and the
   * result is a {@link ChunkResult}. With `s`, the task has claim slot `s`: the worker
   * claims it before running it and skips it if the executor took it back.
   */
  | { t: 'run'; id: number; name: string; args: unknown[]; c?: 1; s?: number }
  /** Abort the task's signal (or drop it if it has not started). */
  | { t: 'cancel'; id: number; reason?: EncodedError }
  /** Finish what is running, then close. */
  | { t: 'close' }
  // ---- streams (see worker-stream.ts and stream.ts) ----
  /**
   * Run task `name` with `args` as a stream: when it returns an iterator (a sync
   * or async generator), the worker sends `stream`, then one `yield` per item,
   * producing at most `hwm` items beyond the credit the executor granted with
   * `pull`; the end is `ok` (value undefined) or `err`. Any other result comes
   * back as a plain `ok`. `s` is a claim slot, as for `run`.
   */
  | { t: 'stream'; id: number; name: string; args: unknown[]; hwm: number; s?: number }
  /** The caller consumed `n` more items of stream `id`: the worker may produce `n` more. */
  | { t: 'pull'; id: number; n: number };

/** Messages from a worker to the executor. */
export type FromWorker =
  /** The module loaded and called `expose()`; carries the exposed task names. */
  | { t: 'hello'; v: number; tasks: string[] }
  /** `init` finished; the worker is serving. */
  | { t: 'ready' }
  /** The worker cannot serve (init failed, protocol mismatch). */
  | { t: 'fatal'; error: EncodedError }
  /** Task `id` fulfilled with `value`. */
  | { t: 'ok'; id: number; value: unknown }
  /** Task `id` threw `error`. */
  | { t: 'err'; id: number; error: EncodedError }
  /** Progress of task `id`: the latest value it reported since the previous batch (coalesced). */
  | { t: 'progress'; id: number; value: unknown }
  /** One streamed item of task `id`, in order. */
  | { t: 'yield'; id: number; value: unknown }
  /** Task `id` (sent as `stream`) returned an iterator: its items follow as `yield` or `yields` messages. */
  | { t: 'stream'; id: number }
  /** Consecutive streamed items of task `id`, in order (one message for many small items). */
  | { t: 'yields'; id: number; values: unknown[] }
  /**
   * The worker is ending itself (`self.close()`, `process.exit()`, `Deno.exit()`):
   * sent last, because a Web Worker that closes itself gives its parent no event.
   * The executor treats it as the worker's exit, with `code` when one was given.
   */
  | { t: 'bye'; code?: number };

/** Result of a chunk: the values in input order, and the first error with its index if one was thrown. */
export type ChunkResult = [values: unknown[], errorIndex?: number, error?: EncodedError];

/** An error flattened for the wire. */
export interface EncodedError {
  name: string;
  message: string;
  stack?: string;
  cause?: EncodedError | { value: unknown };
  /** Own enumerable data properties (code, errno, user data...). */
  props?: Record<string, unknown>;
  /** Set when the task threw something that is not an Error: it is re-thrown as is. */
  thrown?: { value: unknown };
  /** Set when `errors` was an AggregateError's list. */
  errors?: EncodedError[];
}

const builtinErrors: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

const cloneable = (value: unknown): boolean => {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
};

/** Flatten any thrown value into an {@link EncodedError} that structured clone accepts. */
export function encodeError(error: unknown, depth = 0): EncodedError {
  if (!(error instanceof Error) && !(error && typeof error === 'object' && 'message' in error)) {
    return { name: 'Error', message: String(error), thrown: { value: cloneable(error) ? error : String(error) } };
  }
  const e = error as Error & Record<string, unknown>;
  const out: EncodedError = { name: String(e.name ?? 'Error'), message: String(e.message ?? '') };
  if (typeof e.stack === 'string') out.stack = e.stack;
  if (e.cause !== undefined && depth < 8) {
    out.cause = e.cause instanceof Error ? encodeError(e.cause, depth + 1) : { value: cloneable(e.cause) ? e.cause : String(e.cause) };
  }
  if (Array.isArray((e as unknown as AggregateError).errors) && depth < 8) {
    out.errors = (e as unknown as AggregateError).errors.map((x) => encodeError(x, depth + 1));
  }
  for (const key of Object.keys(e)) {
    if (key === 'cause' || key === 'errors' || key === 'stack' || key === 'message') continue;
    const v = e[key];
    if (typeof v === 'function') continue;
    out.props ??= {};
    out.props[key] = cloneable(v) ? v : String(v);
  }
  return out;
}

/** Re-create an error from its {@link EncodedError} form: built-in and Offload classes as themselves. */
export function decodeError(encoded: EncodedError): unknown {
  if (encoded.thrown) return encoded.thrown.value;
  let error: Error;
  const offloadClass = offloadErrorClasses[encoded.name];
  const builtin = builtinErrors[encoded.name];
  if (encoded.errors) {
    error = new AggregateError(
      encoded.errors.map((x) => decodeError(x)),
      encoded.message,
    );
  } else if (builtin) {
    error = new builtin(encoded.message);
  } else if (offloadClass) {
    error = Object.create(offloadClass.prototype) as Error;
    Object.defineProperty(error, 'message', { value: encoded.message, writable: true, configurable: true });
  } else {
    error = new Error(encoded.message);
    Object.defineProperty(error, 'name', { value: encoded.name, writable: true, configurable: true, enumerable: false });
  }
  if (encoded.stack !== undefined) {
    Object.defineProperty(error, 'stack', { value: encoded.stack, writable: true, configurable: true });
  }
  if (encoded.cause) {
    const cause = 'value' in encoded.cause && !('message' in encoded.cause) ? encoded.cause.value : decodeError(encoded.cause as EncodedError);
    Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true });
  }
  if (encoded.props) Object.assign(error, encoded.props);
  return error;
}
