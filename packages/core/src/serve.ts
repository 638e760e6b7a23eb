/**
 * The worker's side of the protocol, for one worker: the handshake, running
 * tasks (claims, concurrency, chunks), cancellation, `close`, and the outgoing
 * batch of results. Reached through `expose()`; backends and the inline
 * executor call {@link serve} directly.
 * @module
 */
import { batchReceiver, postBatch } from './batch.js';
import { claim } from './claims.js';
import { readSafely } from './describe.js';
import { CancelledError, InvalidArgumentError, TaskNotFoundError } from './errors.js';
import type { TaskMap } from './options.js';
import {
  type Batch,
  type ChunkResult,
  type EncodedError,
  encodeError,
  type FromWorker,
  PROTOCOL_VERSION,
  packBatch,
  readToWorker,
  type ToWorker,
} from './protocol.js';
import { serializationFailure } from './serialization.js';
import { Context, isTransferred, setContext } from './task-context.js';
import { findTask } from './task-names.js';
import { closeIterator, isIterator, itemFailure, StreamPump } from './worker-stream.js';

/** Options of `expose()`. */
export interface ExposeOptions {
  /** Runs once per worker before its first task, with the executor's `init` arguments. May be async. */
  init?: (...args: never[]) => unknown;
}

/**
 * How a worker talks to its executor. Backends install one before loading the
 * task module. It passes data through as it is: `serve()` packs and reads the
 * protocol batches, and ignores data that is not one.
 */
export interface Endpoint {
  /** Post a batch; must throw synchronously when it cannot be serialized. */
  post(batch: Batch<FromWorker>, transfer: Transferable[]): void;
  /** Call `onData` with every message that arrives from the executor. */
  listen(onData: (data: unknown) => void): void;
  /**
   * End this worker once everything posted and written (stdout, stderr) has
   * been delivered. Called after a `close` message, when the last result is
   * out. Without it the executor terminates the worker after a bound.
   */
  close?(): void;
}

type Run = Extract<ToWorker, { t: 'run' }>;
type Start = Extract<ToWorker, { t: 'start' }>;

/** Longest time results may wait in the outgoing batch while more tasks run. */
const FLUSH_AFTER_MS = 1;
const perf = globalThis.performance;

/** The outbox of the worker being served, flushed before the worker says `bye`. */
let active: Outbox | undefined;

/** Post what the worker being served has not sent yet (before it ends itself). */
export function flushPending(): void {
  active?.flush();
}

/** A promise-like result; a value whose `then` cannot be read (a revoked Proxy) is not one, and fails to be sent instead. */
const isThenable = (v: unknown): v is PromiseLike<unknown> => !!v && typeof readSafely(v, 'then') === 'function';

/**
 * Results and other messages on their way to the executor: batched per tick,
 * or posted after {@link FLUSH_AFTER_MS} while tasks keep running. A batch that
 * cannot be serialized is posted one message at a time (each with its own
 * transfer list), and a result that cannot be sent becomes its task's
 * SerializationError.
 */
class Outbox {
  #msgs: FromWorker[] = [];
  #transfers: Transferable[] = [];
  /** Task name of each entry ('' for non-results), for the message of a result that cannot be sent. */
  #names: string[] = [];
  /** Transfer list of each entry, made only once one has one (for the one-by-one fallback). */
  #perMessage: (Transferable[] | undefined)[] | undefined;
  #sentNames: string[] = [];
  #sentPerMessage: (Transferable[] | undefined)[] | undefined;
  #scheduled = false;
  #last = perf.now();
  /** Tasks with a progress value not sent yet (their latest value wins). */
  #progressed: Context[] = [];

  constructor(
    readonly endpoint: Endpoint,
    /** An item of stream `id` could not be sent: end that stream with `error`. */
    readonly itemFailed: (id: number, error: unknown) => void,
  ) {}

  /** A task reported progress: send its latest value with the next batch. */
  reportProgress = (ctx: Context): void => {
    if (!this.#progressed.includes(ctx)) this.#progressed.push(ctx);
    // A task reporting in a synchronous loop never yields to the microtask flush: post from here now and then.
    this.#soon();
  };

  /** Send the pending progress of task `id` now, before its result; later reports are dropped. */
  progressBeforeResult(id: number): void {
    if (this.#progressed.length === 0) return;
    const ctx = this.#progressed.find((c) => c.taskId === id);
    if (!ctx) return;
    ctx.report = undefined;
    if (!ctx.pending) return;
    ctx.pending = false;
    this.send({ t: 'progress', id, value: ctx.latest });
  }

  /** One item of stream `id`: consecutive items of one stream share a `yields` message. */
  item(id: number, value: unknown, name: string): void {
    const last = this.#msgs[this.#msgs.length - 1];
    if (last?.t === 'yields' && last.id === id) {
      last.values.push(value);
      return;
    }
    this.#msgs.push({ t: 'yields', id, values: [value] });
    this.#names.push(name);
    // The stream's pump says when its items must leave at once; otherwise they go at the end of the tick.
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  #takeProgress(): void {
    for (const ctx of this.#progressed) {
      if (!ctx.pending) continue;
      ctx.pending = false;
      this.#msgs.push({ t: 'progress', id: ctx.taskId, value: ctx.latest });
      this.#names.push('');
    }
    this.#progressed = [];
  }

  /** Queue `msg` (a result of task `name` moving `transfer`). */
  send(msg: FromWorker, transfer?: Transferable[], name = ''): void {
    this.#msgs.push(msg);
    this.#names.push(name);
    if (transfer) {
      for (const x of transfer) this.#transfers.push(x);
      (this.#perMessage ??= [])[this.#msgs.length - 1] = transfer;
    }
    this.#soon();
  }

  /** Flush now if results have waited long enough, else at the end of this tick. */
  #soon(): void {
    if (perf.now() - this.#last >= FLUSH_AFTER_MS) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Post a message at once, outside the batch (the handshake). */
  postNow(msg: FromWorker): void {
    this.endpoint.post(packBatch<FromWorker>([msg]), []);
  }

  flush = (): void => {
    this.#scheduled = false;
    this.#last = perf.now();
    if (this.#progressed.length > 0) this.#takeProgress();
    if (this.#msgs.length === 0) return;
    const batch = this.#msgs;
    const transfers = this.#transfers;
    this.#sentNames = this.#names;
    this.#sentPerMessage = this.#perMessage;
    this.#msgs = [];
    this.#transfers = [];
    this.#names = [];
    this.#perMessage = undefined;
    postBatch(this.#post, batch, transfers, this.#transferOf, this.#failed);
  };

  #post = (batch: Batch<FromWorker>, transfer: Transferable[]): void => this.endpoint.post(batch, transfer);
  #transferOf = (_msg: FromWorker, i: number): Transferable[] | undefined => this.#sentPerMessage?.[i];

  /** A message could not be posted even alone: a result becomes the task's SerializationError. */
  #failed = (msg: FromWorker, i: number, error: unknown): void => {
    if (msg.t === 'yield' || msg.t === 'yields') {
      // An item that cannot be cloned ends its stream with SerializationError (not a silent gap).
      const failure = itemFailure(this.#sentNames[i] ?? '?', msg.t === 'yield' ? [msg.value] : msg.values, error);
      this.itemFailed(msg.id, failure);
      this.endpoint.post(packBatch<FromWorker>([{ t: 'err', id: msg.id, error: encodeError(failure) }]), []);
      return;
    }
    if (msg.t !== 'ok') return;
    const failure = serializationFailure('result', this.#sentNames[i] ?? '?', [msg.value], error);
    this.endpoint.post(packBatch<FromWorker>([{ t: 'err', id: msg.id, error: encodeError(failure) }]), []);
  };
}

/** Call `fn` once per input of a chunk, in order; the result is a {@link ChunkResult} (or a promise of one). */
function runChunk(fn: (...a: unknown[]) => unknown, ctx: Context, inputs: unknown[]): unknown {
  const values: unknown[] = [];
  const step = (i: number): unknown => {
    for (; i < inputs.length; i++) {
      let r: unknown;
      try {
        r = fn.call(ctx, inputs[i]);
      } catch (e) {
        return [values, i, encodeError(e)] satisfies ChunkResult;
      }
      if (isThenable(r)) {
        const at = i;
        return Promise.resolve(r).then(
          (v) => {
            values.push(v);
            return step(at + 1);
          },
          (e) => [values, at, encodeError(e)] satisfies ChunkResult,
        );
      }
      values.push(r);
    }
    return [values] satisfies ChunkResult;
  };
  return step(0);
}

/** One worker's side of the protocol; see the module comment. */
class WorkerServer {
  readonly #out: Outbox;
  /** Settles when `init` has run (rejects if it threw). */
  #ready: Promise<void> | undefined;
  #concurrency = 1;
  #running = 0;
  /** Claim slots shared with the executor, when it sends tasks ahead (see claims.ts). */
  #claims: Int32Array | undefined;
  /** Tasks received and not started, in order. */
  readonly #waiting: Run[] = [];
  /** Contexts of running async tasks, for `cancel`. */
  readonly #contexts = new Map<number, Context>();
  /** A `close` arrived: take no more work, and end the worker once the last result is out. */
  #closing = false;
  /** High-water mark of each task sent as a stream, until it starts. */
  readonly #streamHwm = new Map<number, number>();
  /** The pumps of running streams. */
  readonly #pumps = new Map<number, StreamPump>();

  constructor(
    readonly endpoint: Endpoint,
    readonly tasks: TaskMap,
    readonly options: ExposeOptions,
  ) {
    this.#out = new Outbox(endpoint, (id, error) => this.#pumps.get(id)?.stop(error));
    active = this.#out;
  }

  /** Listen to the executor, then say hello with the task names. */
  open(): void {
    // Foreign data is ignored; a malformed protocol batch is answered with `fatal` (the executor stops this worker).
    this.endpoint.listen(batchReceiver(readToWorker, this.#onBatch, (error) => this.#out.send({ t: 'fatal', error: encodeError(error) })));
    this.#out.postNow({ t: 'hello', v: PROTOCOL_VERSION, tasks: Object.keys(this.tasks) });
  }

  #onBatch = (batch: ToWorker[]): void => {
    for (const msg of batch) {
      switch (msg.t) {
        case 'run':
          this.#waiting.push(msg);
          break;
        case 'cancel':
          this.#cancel(msg.id, msg.reason);
          break;
        case 'close':
          this.#closing = true;
          break;
        case 'start':
          this.#begin(msg);
          break;
        case 'stream':
          this.#streamHwm.set(msg.id, msg.hwm);
          this.#waiting.push(
            msg.s === undefined ? { t: 'run', id: msg.id, name: msg.name, args: msg.args } : { t: 'run', id: msg.id, name: msg.name, args: msg.args, s: msg.s },
          );
          break;
        case 'pull':
          this.#pumps.get(msg.id)?.pull(msg.n);
          break;
        default:
          break;
      }
    }
    this.#ready?.then(this.#drain, () => {});
  };

  /** The handshake's answer: run `init`, then say `ready` (or `fatal`). */
  #begin(msg: Start): void {
    if (this.#ready) return;
    this.#concurrency = msg.concurrency;
    if (msg.claims) this.#claims = new Int32Array(msg.claims);
    const init = this.options.init as ((...a: unknown[]) => unknown) | undefined;
    this.#ready = (async () => {
      if (init) await init(...(msg.init ?? []));
    })().then(
      () => this.#out.send({ t: 'ready' }),
      (error) => {
        this.#out.send({ t: 'fatal', error: encodeError(error), phase: 'init' });
        throw error;
      },
    );
  }

  /** Start waiting tasks while running slots are free; end the worker if it was asked to close and is done. */
  #drain = (): void => {
    while (this.#running < this.#concurrency && this.#waiting.length > 0) this.#start(this.#waiting.shift() as Run);
    this.#endIfClosed();
  };

  #start(msg: Run): void {
    // The executor took this task back for another worker: skip it without a word.
    if (msg.s !== undefined && this.#claims && !claim(this.#claims, msg.s, msg.id)) return;
    const fn = findTask(this.tasks, msg.name);
    if (!fn) {
      this.#out.send({ t: 'err', id: msg.id, error: encodeError(new TaskNotFoundError(msg.name, Object.keys(this.tasks))) });
      return;
    }
    const ctx = this.#contexts.get(msg.id) ?? new Context(msg.id);
    ctx.report = this.#out.reportProgress;
    let result: unknown;
    setContext(ctx);
    try {
      result = msg.c ? runChunk(fn, ctx, msg.args) : fn.apply(ctx, msg.args);
    } catch (error) {
      setContext(undefined);
      this.#streamHwm.delete(msg.id);
      this.#settle(msg.id, msg.name, false, error);
      return;
    }
    setContext(undefined);
    if (isIterator(result)) result = this.#pumpOrRefuse(msg, ctx, result);
    if (!isThenable(result)) {
      this.#settle(msg.id, msg.name, true, result);
      return;
    }
    this.#contexts.set(msg.id, ctx);
    this.#running++;
    Promise.resolve(result).then(
      (v) => {
        this.#running--;
        this.#settle(msg.id, msg.name, true, v);
        this.#drain();
      },
      (e) => {
        this.#running--;
        this.#settle(msg.id, msg.name, false, e);
        this.#drain();
      },
    );
  }

  /** A task returned an iterator: stream it if it was sent as a stream, otherwise refuse it (it cannot be cloned). */
  #pumpOrRefuse(msg: Run, ctx: Context, it: Iterator<unknown> | AsyncIterator<unknown>): Promise<undefined> {
    const hwm = this.#streamHwm.get(msg.id);
    this.#streamHwm.delete(msg.id);
    if (hwm === undefined) {
      void closeIterator(it);
      return Promise.reject(
        new InvalidArgumentError(
          `Task "${msg.name}" returned an iterator (it is a generator function): iterate it with executor.stream("${msg.name}", args) or the typed proxy instead of submit().`,
        ),
      );
    }
    const out = this.#out;
    const id = msg.id;
    const name = msg.name;
    out.send({ t: 'stream', id });
    const emit = (value: unknown, flushNow: boolean): void => {
      if (isTransferred(value)) out.send({ t: 'yield', id, value: value.value }, value.transfer);
      else out.item(id, value, name);
      if (flushNow) out.flush();
    };
    const pump = new StreamPump(msg.id, it, hwm, emit);
    this.#pumps.set(msg.id, pump);
    this.#contexts.set(msg.id, ctx);
    return pump.finished;
  }

  #settle(id: number, name: string, ok: boolean, value: unknown): void {
    const ctx = this.#contexts.get(id);
    if (ctx) ctx.report = undefined;
    this.#out.progressBeforeResult(id);
    this.#pumps.delete(id);
    this.#contexts.delete(id);
    if (!ok) this.#out.send({ t: 'err', id, error: encodeError(value) });
    else if (isTransferred(value)) this.#out.send({ t: 'ok', id, value: value.value }, value.transfer, name);
    else this.#out.send({ t: 'ok', id, value }, undefined, name);
  }

  /** Drop a task that has not started, or abort the signal of a running one. */
  #cancel(id: number, reason: EncodedError | undefined): void {
    const error = new CancelledError(reason?.message ?? 'The task was cancelled.');
    const i = this.#waiting.findIndex((m) => m.id === id);
    if (i >= 0) {
      this.#waiting.splice(i, 1);
      this.#streamHwm.delete(id);
      this.#out.send({ t: 'err', id, error: encodeError(error) });
      return;
    }
    this.#contexts.get(id)?.abort(error);
    this.#pumps.get(id)?.stop(error);
  }

  #endIfClosed(): void {
    if (!this.#closing || this.#running > 0 || this.#waiting.length > 0) return;
    this.#closing = false;
    this.#out.flush();
    this.endpoint.close?.();
  }
}

/**
 * Run the protocol for one worker over `endpoint`. Exported for backends and
 * the inline executor; task modules use `expose()`.
 */
export function serve(endpoint: Endpoint, tasks: TaskMap, options: ExposeOptions = {}): void {
  new WorkerServer(endpoint, tasks, options).open();
}
