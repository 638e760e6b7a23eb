/**
 * The wire protocol between an executor and its workers: one tagged union per
 * direction. Every post carries a branded batch of messages ({@link Batch}), so
 * that several tasks or results that are ready in the same tick cost one
 * structured clone and one event, and so that data a task posts on the same
 * channel (`parentPort.postMessage`, `process.send`, `self.postMessage`) is told
 * apart from the protocol and ignored.
 * @module
 */
import { isErrorValue, readSafely, textOf } from './describe.js';
import { offloadErrorClasses, ProtocolError } from './errors.js';

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
  /**
   * The worker cannot serve. `phase: 'load'`: the task module failed to import or
   * did not call `expose()`; `phase: 'init'`: its init function failed.
   */
  | { t: 'fatal'; error: EncodedError; phase?: 'load' | 'init' }
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
   * The executor treats it as the worker's exit, with `code` (0 when none was given: `self.close()`).
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

/**
 * The brand of a protocol batch. It does not carry the protocol version, so that
 * a worker of another version is still heard (and refused by the `hello` check).
 */
export const BATCH_BRAND = 'offload.batch';

/** One post on the wire: a branded envelope around the messages of one tick. */
export interface Batch<M> {
  readonly offload: typeof BATCH_BRAND;
  readonly m: M[];
}

/** Wrap the messages of one post in the protocol's envelope. */
export function packBatch<M>(messages: M[]): Batch<M> {
  return { offload: BATCH_BRAND, m: messages };
}

type Loose = Record<string, unknown>;

const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null;
const isId = (v: unknown): boolean => Number.isSafeInteger(v);
/** Deepest nesting of causes and error lists a peer may send (encodeError stops at 8). */
const MAX_ERROR_DEPTH = 16;

/**
 * Is `v` an {@link EncodedError} that {@link decodeError} can read: string name
 * and message, and, when present, a string stack, an object of properties, a
 * thrown or cause wrapper object, and causes and error lists of the same shape?
 */
const isEncodedError = (v: unknown, depth = 0): boolean => {
  if (!isObject(v) || typeof v.name !== 'string' || typeof v.message !== 'string' || depth > MAX_ERROR_DEPTH) return false;
  if (v.stack !== undefined && typeof v.stack !== 'string') return false;
  if (v.props !== undefined && !isObject(v.props)) return false;
  if (v.thrown !== undefined && !isObject(v.thrown)) return false;
  if (v.errors !== undefined && !(Array.isArray(v.errors) && v.errors.every((x) => isEncodedError(x, depth + 1)))) return false;
  const cause = v.cause;
  if (cause === undefined) return true;
  if (!isObject(cause)) return false;
  return ('value' in cause && !('message' in cause)) || isEncodedError(cause, depth + 1);
};

/** Why a message from a worker is malformed, or undefined when it is well formed. */
function fromWorkerFault(msg: Loose): string | undefined {
  switch (msg.t) {
    case 'ok':
    case 'progress':
    case 'yield':
    case 'stream':
      return isId(msg.id) ? undefined : 'its id is not an integer';
    case 'yields':
      if (!isId(msg.id)) return 'its id is not an integer';
      return Array.isArray(msg.values) ? undefined : 'its items are not a list';
    case 'err':
      if (!isId(msg.id)) return 'its id is not an integer';
      return isEncodedError(msg.error) ? undefined : 'its error has no string name and message';
    case 'hello':
      if (typeof msg.v !== 'number') return 'its protocol version is not a number';
      return Array.isArray(msg.tasks) && msg.tasks.every((n) => typeof n === 'string') ? undefined : 'its task names are not a list of strings';
    case 'ready':
      return undefined;
    case 'fatal':
      return isEncodedError(msg.error) ? undefined : 'its error has no string name and message';
    case 'bye':
      return msg.code === undefined || typeof msg.code === 'number' ? undefined : 'its exit code is not a number';
    default:
      return `its type ${JSON.stringify(String(msg.t))} is not one a worker sends`;
  }
}

/** Why a message to a worker is malformed, or undefined when it is well formed. */
function toWorkerFault(msg: Loose): string | undefined {
  switch (msg.t) {
    case 'run':
      if (!isId(msg.id)) return 'its id is not an integer';
      if (typeof msg.name !== 'string') return 'its task name is not a string';
      if (!Array.isArray(msg.args)) return 'its arguments are not a list';
      if (msg.s !== undefined && !Number.isSafeInteger(msg.s)) return 'its claim slot is not an integer';
      return msg.c === undefined || msg.c === 1 ? undefined : 'its chunk flag is not 1';
    case 'stream':
      if (!isId(msg.id)) return 'its id is not an integer';
      if (typeof msg.name !== 'string') return 'its task name is not a string';
      if (!Array.isArray(msg.args)) return 'its arguments are not a list';
      if (msg.s !== undefined && !Number.isSafeInteger(msg.s)) return 'its claim slot is not an integer';
      return Number.isSafeInteger(msg.hwm) && (msg.hwm as number) > 0 ? undefined : 'its high-water mark is not a positive integer';
    case 'pull':
      if (!isId(msg.id)) return 'its id is not an integer';
      return Number.isSafeInteger(msg.n) && (msg.n as number) > 0 ? undefined : 'its count is not a positive integer';
    case 'cancel':
      if (!isId(msg.id)) return 'its id is not an integer';
      return msg.reason === undefined || isEncodedError(msg.reason) ? undefined : 'its reason has no string name and message';
    case 'start':
      if (typeof msg.v !== 'number') return 'its protocol version is not a number';
      if (msg.init !== undefined && !Array.isArray(msg.init)) return 'its init arguments are not a list';
      if (msg.claims !== undefined && !(typeof SharedArrayBuffer === 'function' && msg.claims instanceof SharedArrayBuffer)) {
        return 'its claim slots are not a SharedArrayBuffer';
      }
      return Number.isSafeInteger(msg.concurrency) && (msg.concurrency as number) > 0 ? undefined : 'its concurrency is not a positive integer';
    case 'close':
      return undefined;
    default:
      return `its type ${JSON.stringify(String(msg.t))} is not one an executor sends`;
  }
}

/** Unwrap and check a post. */
function readBatch<M>(data: unknown, fault: (msg: Loose) => string | undefined, from: string): M[] | undefined {
  if (!isObject(data) || data.offload !== BATCH_BRAND) return undefined;
  const messages = data.m;
  if (!Array.isArray(messages)) throw new ProtocolError(`A protocol batch ${from} carries no list of messages.${SAME_VERSION}`);
  for (let i = 0; i < messages.length; i++) {
    const msg: unknown = messages[i];
    const why = isObject(msg) ? fault(msg) : 'it is not an object';
    if (why !== undefined) throw new ProtocolError(`Message ${i} of a protocol batch ${from} is malformed: ${why}.${SAME_VERSION}`);
  }
  return messages as M[];
}

const SAME_VERSION = " Both sides must run the same version of the @offload packages, and task code must not post on the worker's channel in Offload's format.";

/**
 * Read a post from a worker. Returns its messages; `undefined` when the data is
 * not a protocol batch (foreign data, to be ignored).
 * @throws {ProtocolError} when the data is branded as a batch but a message is malformed
 */
export function readFromWorker(data: unknown): FromWorker[] | undefined {
  return readBatch<FromWorker>(data, fromWorkerFault, 'from a worker');
}

/**
 * Read a post from the executor. Returns its messages; `undefined` when the
 * data is not a protocol batch (foreign data, to be ignored).
 * @throws {ProtocolError} when the data is branded as a batch but a message is malformed
 */
export function readToWorker(data: unknown): ToWorker[] | undefined {
  return readBatch<ToWorker>(data, toWorkerFault, 'to a worker');
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

/** `value` when it can be cloned, else its text (which cannot throw). */
const cloneOrText = (value: unknown): unknown => (cloneable(value) ? value : textOf(value));

/**
 * Flatten any thrown value into an {@link EncodedError} that structured clone
 * accepts. A thrown value that is not an Error (a string, a plain object, even
 * one with a `message` key) travels as itself, or as its string when it cannot
 * be cloned. Never throws: a field that cannot be read (a getter or a Proxy
 * trap that throws, a revoked Proxy) is left out, so that what a task throws
 * always reaches its caller as that task's error.
 */
export function encodeError(error: unknown, depth = 0): EncodedError {
  try {
    return encodeReadable(error, depth);
  } catch {
    const text = textOf(error);
    return { name: 'Error', message: text, thrown: { value: text } };
  }
}

function encodeReadable(error: unknown, depth: number): EncodedError {
  if (!isErrorValue(error)) {
    const text = textOf(error);
    return { name: 'Error', message: text, thrown: { value: cloneOrText(error) } };
  }
  const name = readSafely(error, 'name');
  const message = readSafely(error, 'message');
  const out: EncodedError = { name: name == null ? 'Error' : textOf(name), message: message == null ? '' : textOf(message) };
  const stack = readSafely(error, 'stack');
  if (typeof stack === 'string') out.stack = stack;
  const cause = readSafely(error, 'cause');
  if (cause !== undefined && depth < 8) {
    out.cause = isErrorValue(cause) ? encodeError(cause, depth + 1) : { value: cloneOrText(cause) };
  }
  const errors = readSafely(error, 'errors');
  if (Array.isArray(errors) && depth < 8) out.errors = errors.map((x) => encodeError(x, depth + 1));
  let keys: string[] = [];
  try {
    keys = Object.keys(error);
  } catch {}
  for (const key of keys) {
    if (key === 'cause' || key === 'errors' || key === 'stack' || key === 'message') continue;
    let v: unknown;
    try {
      v = (error as unknown as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    if (typeof v === 'function') continue;
    out.props ??= {};
    out.props[key] = cloneOrText(v);
  }
  return out;
}

const own = <V>(map: Record<string, V>, key: string): V | undefined => (Object.hasOwn(map, key) ? map[key] : undefined);

/**
 * Re-create an error from its {@link EncodedError} form: built-in and Offload
 * classes as themselves. Never throws: own properties are defined, not
 * assigned, so that one named like a getter of the class (an Error renamed
 * `TimeoutError` by the task has an own `name`) cannot throw, and an encoding
 * that cannot be read as one (damaged, forged) still gives an Error.
 */
export function decodeError(encoded: EncodedError): unknown {
  try {
    return decodeReadable(encoded);
  } catch {
    const error = new Error(typeof encoded?.message === 'string' ? encoded.message : 'An error that could not be decoded.');
    if (typeof encoded?.name === 'string') define(error, 'name', encoded.name, false);
    return error;
  }
}

/** Define `error[key] = value` as a data property, whatever the class declares under that key (a getter). */
const define = (error: Error, key: string, value: unknown, enumerable: boolean): void => {
  Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable });
};

function decodeReadable(encoded: EncodedError): unknown {
  if (encoded.thrown) return encoded.thrown.value;
  let error: Error;
  const offloadClass = own(offloadErrorClasses, encoded.name);
  const builtin = own(builtinErrors, encoded.name);
  if (encoded.errors) {
    error = new AggregateError(
      encoded.errors.map((x) => decodeError(x)),
      encoded.message,
    );
  } else if (builtin) {
    error = new builtin(encoded.message);
  } else if (offloadClass) {
    error = Object.create(offloadClass.prototype) as Error;
    define(error, 'message', encoded.message, false);
  } else {
    error = new Error(encoded.message);
    define(error, 'name', encoded.name, false);
  }
  if (encoded.stack !== undefined) define(error, 'stack', encoded.stack, false);
  if (encoded.cause) {
    const cause = 'value' in encoded.cause && !('message' in encoded.cause) ? encoded.cause.value : decodeError(encoded.cause as EncodedError);
    define(error, 'cause', cause, false);
  }
  if (encoded.props) for (const key of Object.keys(encoded.props)) define(error, key, encoded.props[key], true);
  return error;
}
