/**
 * Worker side: `expose()` serves a module's task functions to an executor,
 * and `taskContext()` gives a running task its AbortSignal.
 *
 * ```ts
 * import { expose } from '@offload/core/worker';
 * export const tasks = expose({ isPrime, fib });
 * export type Tasks = typeof tasks;
 * ```
 * @module
 */
import { claim } from './claims.js';
import { CancelledError, InvalidArgumentError, OffloadError, TaskNotFoundError } from './errors.js';
import type { TaskMap, Transferred } from './options.js';
import { type ChunkResult, type EncodedError, encodeError, type FromWorker, PROTOCOL_VERSION, type ToWorker } from './protocol.js';
import { serializationFailure } from './serialization.js';
import { findTask } from './task-names.js';
import { closeIterator, isIterator, itemFailure, StreamPump } from './worker-stream.js';

export type { TaskMap, Transferred } from './options.js';

/** What a running task can read about itself. Also bound as `this` of a task function. */
export interface TaskContext {
  /** Aborted when the caller cancels the task or its timeout expires. Check it in long loops. */
  readonly signal: AbortSignal;
  /** The task's id within its executor. */
  readonly taskId: number;
  /**
   * Report progress (any cloneable value) to the caller's `onProgress`. Cheap to
   * call often: values are coalesced, the latest one reported before each
   * batch leaves the worker wins. Ignored once the task has settled.
   */
  progress(value: unknown): void;
}

/** Options of `expose()`. */
export interface ExposeOptions {
  /** Runs once per worker before its first task, with the executor's `init` arguments. May be async. */
  init?: (...args: never[]) => unknown;
}

/** How a worker talks to its executor. Backends install one before loading the task module. */
export interface Endpoint {
  post(batch: FromWorker[], transfer: Transferable[]): void;
  listen(onBatch: (batch: ToWorker[]) => void): void;
}

/** Global slot where a backend's worker bootstrap installs its {@link Endpoint}. */
export const ENDPOINT = Symbol.for('offload.endpoint');
/** Marks an object returned by `expose()`. */
export const EXPOSED = Symbol.for('offload.exposed');

const TRANSFER = Symbol.for('offload.transfer');

/**
 * Return `value` from a task and move `transfer` (ArrayBuffers, ports...) to
 * the caller instead of copying them.
 */
export function transfer<V>(value: V, transferList: Transferable[]): Transferred<V> {
  return { [TRANSFER]: true, value, transfer: transferList } as unknown as Transferred<V>;
}

const isTransferred = (v: unknown): v is Transferred<unknown> => typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[TRANSFER] === true;

let current: TaskContext | undefined;

/** The context of the task being started. Call it synchronously at the top of a task function. */
export function taskContext(): TaskContext {
  if (!current) {
    throw new OffloadError('ERR_OFFLOAD_INVALID_ARGUMENT', 'taskContext() must be called synchronously at the start of a task function (before any await).');
  }
  return current;
}

class Context implements TaskContext {
  #controller: AbortController | undefined;
  #reason: unknown;
  #aborted = false;
  /** Told of this task's progress (set by `serve()`): at the first report since the last flush, then every 64th. Undefined once the task settled. */
  report: ((ctx: Context) => void) | undefined;
  /** The latest progress value not yet sent, when `pending`. */
  latest: unknown;
  pending = false;
  #calls = 0;
  constructor(readonly taskId: number) {}
  progress(value: unknown): void {
    const report = this.report;
    if (!report) return;
    this.latest = value;
    if (!this.pending) {
      this.pending = true;
      report(this);
    } else if ((++this.#calls & 63) === 0) report(this);
  }
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }
  abort(reason: unknown): void {
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

/** Flushes the outgoing batch of the worker being served; set by `serve()`, used before a `bye`. */
let flushOutbox: (() => void) | undefined;

type Wrappable = Record<string, unknown> | undefined | null;

/** Replace `obj[key]` (a function) by one that calls `before(...args)` first. */
function wrapBefore(obj: Wrappable, key: string, before: (args: unknown[]) => void): void {
  const original = obj?.[key];
  if (!obj || typeof original !== 'function') return;
  try {
    obj[key] = function (this: unknown, ...args: unknown[]) {
      before(args);
      return original.apply(this ?? obj, args);
    };
  } catch {}
}

/**
 * The endpoint of a Web Worker (browser, Deno, Bun): the global `postMessage`
 * and `message` events. A Web Worker that ends itself gives its parent no event
 * (Deno and browsers), so `close()`, `process.exit()` and `Deno.exit()` are
 * wrapped to flush pending results and post a final `bye` first. (Bun reports
 * the end of a worker with its `close` event. In Bun's Web Workers
 * `parentPort.close()` does nothing; a task that wants its worker gone calls
 * `process.exit()`.)
 */
function webEndpoint(): Endpoint | undefined {
  const g = globalThis as Record<string, unknown> & {
    Bun?: { isMainThread?: boolean };
    Deno?: Record<string, unknown>;
    process?: Record<string, unknown> & { exitCode?: number | string };
  };
  const scope = g.WorkerGlobalScope as (new () => unknown) | undefined;
  // Deno and browsers have WorkerGlobalScope; Bun's Web Workers do not, but say Bun.isMainThread === false.
  const inWorker = (typeof scope === 'function' && g.self instanceof scope) || g.Bun?.isMainThread === false;
  if (!inWorker || typeof g.postMessage !== 'function') return undefined;
  const post = g.postMessage as (m: unknown, t: Transferable[]) => void;
  const add = g.addEventListener as (type: string, fn: (e: MessageEvent) => void) => void;
  let said = false;
  /** Post pending results, then the final `bye` (once). */
  const bye = (code?: number): void => {
    if (said) return;
    said = true;
    try {
      flushOutbox?.();
      post([code === undefined ? { t: 'bye' } : { t: 'bye', code }] satisfies FromWorker[], []);
    } catch {}
  };
  const exitCode = (arg: unknown): number => {
    const n = Number(arg ?? g.process?.exitCode ?? 0);
    return Number.isInteger(n) ? n : 1;
  };
  wrapBefore(g, 'close', () => bye());
  wrapBefore(g.Deno, 'exit', (a) => bye(exitCode(a[0])));
  const wrapProcess = (p: unknown) => wrapBefore(p as Record<string, unknown>, 'exit', (a) => bye(exitCode(a[0])));
  const desc = g.Deno ? Object.getOwnPropertyDescriptor(globalThis, 'process') : undefined;
  if (desc?.get && desc.configurable) {
    // Deno builds its Node compatibility layer on the first read of `process` (~10 ms of worker
    // start-up): wrap process.exit on that first read instead of forcing it now.
    const getter = desc.get;
    Object.defineProperty(globalThis, 'process', {
      ...desc,
      get() {
        Object.defineProperty(globalThis, 'process', desc);
        const p = getter.call(this);
        wrapProcess(p);
        return p;
      },
    });
  } else wrapProcess(g.process);
  return {
    post: (batch, t) => post(batch, t),
    listen: (fn) => add('message', (e) => fn(e.data)),
  };
}

/**
 * Serve `tasks` to the executor that started this worker, and return them
 * unchanged (typed) for `typeof` and for the inline executor. Imported in a
 * normal module (not a worker), it only returns the tasks.
 */
export function expose<T extends TaskMap>(tasks: T, options: ExposeOptions = {}): T {
  Object.defineProperty(tasks, EXPOSED, { value: options, enumerable: false, configurable: true });
  const endpoint = ((globalThis as Record<symbol, unknown>)[ENDPOINT] as Endpoint | undefined) ?? webEndpoint();
  if (endpoint) serve(endpoint, tasks, options);
  return tasks;
}

/** Longest time results may wait in the outgoing batch while more tasks run. */
const FLUSH_AFTER_MS = 1;
const perf = globalThis.performance;

/**
 * Run the protocol for one worker over `endpoint`. Exported for backends and
 * the inline executor; task modules use `expose()`.
 */
export function serve(endpoint: Endpoint, tasks: TaskMap, options: ExposeOptions = {}): void {
  let ready: Promise<void> | undefined;
  let started = false;
  let concurrency = 1;
  let running = 0;
  /** Claim slots shared with the executor, when it sends tasks ahead (see claims.ts). */
  let claims: Int32Array | undefined;
  const waiting: Extract<ToWorker, { t: 'run' }>[] = [];
  const contexts = new Map<number, Context>();
  let outbox: FromWorker[] = [];
  let transfers: Transferable[] = [];
  let flushScheduled = false;
  let lastFlush = perf.now();
  /** Task name of each outbox entry ('' for non-results), for the message of a result that cannot be sent. */
  let outNames: string[] = [];
  // ---- streams and progress (worker-stream.ts) ----
  /** High-water mark of each task sent as a stream, until it starts. */
  const streamHwm = new Map<number, number>();
  const pumps = new Map<number, StreamPump>();
  /** Tasks with a progress value not sent yet (their latest value wins). */
  let progressed: Context[] = [];
  const takeProgress = (): void => {
    for (const ctx of progressed) {
      if (!ctx.pending) continue;
      ctx.pending = false;
      outbox.push({ t: 'progress', id: ctx.taskId, value: ctx.latest });
      outNames.push('');
    }
    progressed = [];
  };
  const reportProgress = (ctx: Context): void => {
    if (!progressed.includes(ctx)) progressed.push(ctx);
    // A task reporting in a synchronous loop never yields to the microtask flush: post from here now and then.
    if (perf.now() - lastFlush >= FLUSH_AFTER_MS) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      queueMicrotask(flush);
    }
  };
  /** Send the pending progress of task `id` now, before its result. */
  const progressBeforeResult = (id: number): void => {
    const ctx = progressed.find((c) => c.taskId === id);
    if (!ctx) return;
    ctx.report = undefined;
    if (!ctx.pending) return;
    ctx.pending = false;
    send({ t: 'progress', id, value: ctx.latest });
  };
  // ---- end streams and progress ----

  const flush = (): void => {
    flushScheduled = false;
    lastFlush = perf.now();
    if (progressed.length > 0) takeProgress();
    if (outbox.length === 0) return;
    const batch = outbox;
    const t = transfers;
    const batchNames = outNames;
    outbox = [];
    transfers = [];
    outNames = [];
    try {
      endpoint.post(batch, t);
    } catch {
      batch.forEach((msg, i) => {
        try {
          endpoint.post([msg], []);
        } catch (error) {
          if (msg.t === 'yield' || msg.t === 'yields') {
            // An item that cannot be cloned ends its stream with SerializationError (not a silent gap).
            const failure = itemFailure(batchNames[i] ?? '?', msg.t === 'yield' ? [msg.value] : msg.values, error);
            pumps.get(msg.id)?.stop(failure);
            endpoint.post([{ t: 'err', id: msg.id, error: encodeError(failure) }], []);
            return;
          }
          if (msg.t !== 'ok') return;
          const failure = serializationFailure('result', batchNames[i] ?? '?', [msg.value], error);
          endpoint.post([{ t: 'err', id: msg.id, error: encodeError(failure) }], []);
        }
      });
    }
  };
  flushOutbox = flush;
  const send = (msg: FromWorker, t?: Transferable[], name = ''): void => {
    outbox.push(msg);
    outNames.push(name);
    if (t) for (const x of t) transfers.push(x);
    if (perf.now() - lastFlush >= FLUSH_AFTER_MS) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      queueMicrotask(flush);
    }
  };

  const settle = (id: number, name: string, ok: boolean, value: unknown): void => {
    const ctx = contexts.get(id);
    if (ctx) ctx.report = undefined;
    if (progressed.length > 0) progressBeforeResult(id);
    pumps.delete(id);
    contexts.delete(id);
    if (ok) {
      if (isTransferred(value)) send({ t: 'ok', id, value: value.value }, value.transfer, name);
      else send({ t: 'ok', id, value }, undefined, name);
    } else send({ t: 'err', id, error: encodeError(value) });
  };

  const runChunk = (fn: (...a: unknown[]) => unknown, ctx: Context, inputs: unknown[]): unknown => {
    const values: unknown[] = [];
    const step = (i: number): unknown => {
      for (; i < inputs.length; i++) {
        let r: unknown;
        try {
          r = fn.call(ctx, inputs[i]);
        } catch (e) {
          return [values, i, encodeError(e)] satisfies ChunkResult;
        }
        if (r && typeof (r as PromiseLike<unknown>).then === 'function') {
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
  };

  const start = (msg: Extract<ToWorker, { t: 'run' }>): void => {
    // The executor took this task back for another worker: skip it without a word.
    if (msg.s !== undefined && claims && !claim(claims, msg.s, msg.id)) return;
    const fn = findTask(tasks, msg.name);
    if (!fn) {
      send({ t: 'err', id: msg.id, error: encodeError(new TaskNotFoundError(msg.name, Object.keys(tasks))) });
      return;
    }
    const ctx = contexts.get(msg.id) ?? new Context(msg.id);
    ctx.report = reportProgress;
    let result: unknown;
    current = ctx;
    try {
      result = msg.c ? runChunk(fn, ctx, msg.args) : fn.apply(ctx, msg.args);
    } catch (error) {
      current = undefined;
      streamHwm.delete(msg.id);
      settle(msg.id, msg.name, false, error);
      return;
    }
    current = undefined;
    if (isIterator(result)) result = pumpOrRefuse(msg, ctx, result);
    if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
      contexts.set(msg.id, ctx);
      running++;
      Promise.resolve(result).then(
        (v) => {
          running--;
          settle(msg.id, msg.name, true, v);
          drain();
        },
        (e) => {
          running--;
          settle(msg.id, msg.name, false, e);
          drain();
        },
      );
    } else settle(msg.id, msg.name, true, result);
  };

  /** A task returned an iterator: stream it if it was sent as a stream, otherwise refuse it (it cannot be cloned). */
  const pumpOrRefuse = (msg: Extract<ToWorker, { t: 'run' }>, ctx: Context, it: Iterator<unknown> | AsyncIterator<unknown>): Promise<undefined> => {
    const hwm = streamHwm.get(msg.id);
    streamHwm.delete(msg.id);
    if (hwm === undefined) {
      void closeIterator(it);
      return Promise.reject(
        new InvalidArgumentError(
          `Task "${msg.name}" returned an iterator (it is a generator function): iterate it with executor.stream("${msg.name}", args) or the typed proxy instead of submit().`,
        ),
      );
    }
    const emit = (m: FromWorker, flushNow: boolean): void => {
      if (m.t !== 'yield') send(m);
      else if (isTransferred(m.value)) send({ t: 'yield', id: m.id, value: m.value.value }, m.value.transfer);
      else {
        // Consecutive items of one stream share a message: one object per batch, not per item.
        const last = outbox[outbox.length - 1];
        if (last?.t === 'yields' && last.id === m.id) last.values.push(m.value);
        else send({ t: 'yields', id: m.id, values: [m.value] }, undefined, msg.name);
      }
      if (flushNow) flush();
    };
    const pump = new StreamPump(msg.id, it, hwm, emit);
    pumps.set(msg.id, pump);
    contexts.set(msg.id, ctx);
    return pump.finished;
  };

  const drain = (): void => {
    while (running < concurrency && waiting.length > 0) start(waiting.shift() as Extract<ToWorker, { t: 'run' }>);
  };

  const cancel = (id: number, reason: EncodedError | undefined): void => {
    const i = waiting.findIndex((m) => m.id === id);
    const error = new CancelledError(reason?.message ?? 'The task was cancelled.');
    if (i >= 0) {
      waiting.splice(i, 1);
      streamHwm.delete(id);
      send({ t: 'err', id, error: encodeError(error) });
      return;
    }
    contexts.get(id)?.abort(error);
    pumps.get(id)?.stop(error);
  };

  endpoint.listen((batch) => {
    for (const msg of batch) {
      switch (msg.t) {
        case 'run':
          waiting.push(msg);
          break;
        case 'cancel':
          cancel(msg.id, msg.reason);
          break;
        case 'stream':
          streamHwm.set(msg.id, msg.hwm);
          waiting.push(
            msg.s === undefined ? { t: 'run', id: msg.id, name: msg.name, args: msg.args } : { t: 'run', id: msg.id, name: msg.name, args: msg.args, s: msg.s },
          );
          break;
        case 'pull':
          pumps.get(msg.id)?.pull(msg.n);
          break;
        case 'start':
          if (started) break;
          started = true;
          concurrency = msg.concurrency;
          if (msg.claims) claims = new Int32Array(msg.claims);
          ready = (async () => {
            if (options.init) await (options.init as (...a: unknown[]) => unknown)(...(msg.init ?? []));
          })().then(
            () => send({ t: 'ready' }),
            (error) => {
              send({ t: 'fatal', error: encodeError(error) });
              throw error;
            },
          );
          break;
        default:
          break;
      }
    }
    if (!ready) return;
    ready.then(drain, () => {});
  });
  endpoint.post([{ t: 'hello', v: PROTOCOL_VERSION, tasks: Object.keys(tasks) }], []);
}
