/**
 * What the harness needs from a pool: one small adapter entry per backend,
 * peer and raw floor. Runtime-neutral.
 * @module
 */

/** Offload backend, a peer pool library, or the runtime's raw floor (no pool). */
export type Kind = 'offload' | 'peer' | 'raw';

/** A live pool of `workers` workers running the workload tasks. */
export interface Pool {
  /** Run one task on one argument. */
  run(task: string, arg: unknown): Promise<unknown>;
  /** Offload only: `executor.map()` over `inputs` with `chunkSize`; resolves with the number of results. */
  map?(task: string, inputs: Iterable<unknown>, chunkSize: number): Promise<number>;
  /**
   * Offload (`executor.stream()`) and raw floors: iterate generator task `task(arg)`; resolves with the number of items received.
   * Offload only: `onItem` is awaited after each item (a slow consumer), `highWaterMark` overrides the adapter's.
   */
  stream?(task: string, arg: unknown, options?: { highWaterMark?: number; onItem?: (index: number) => Promise<void> | void }): Promise<number>;
  /** Stop every worker. */
  close(): Promise<void>;
}

/** How the pool is used by a scenario. */
export interface CreateOptions {
  /**
   * Raw floors only: post every task at once (burst) instead of one task per
   * worker at a time (a minimal fair queue, for CPU workloads).
   */
  pipelined?: boolean;
}

/** One backend, peer or floor on one runtime. */
export interface Adapter {
  /** Name in results: `node-worker`, `tinypool`, `raw-postMessage`... */
  name: string;
  kind: Kind;
  /** Threads or processes: peers are compared within the same isolation. */
  isolation: 'thread' | 'process';
  /** Create a pool; should not wait for the workers (cold start is measured through it). */
  create(workers: number, options?: CreateOptions): Promise<Pool> | Pool;
}

/** Minimal executor surface of every Offload backend's `createExecutor()`. */
export interface OffloadExecutorLike {
  submit(name: string, args: unknown[]): PromiseLike<unknown>;
  map(name: string, inputs: Iterable<unknown>, options: { chunkSize: number }): AsyncIterable<unknown>;
  stream?(name: string, args: unknown[], options?: { highWaterMark?: number }): AsyncIterable<unknown>;
  shutdown(): Promise<void>;
}

/** Any backend's `createExecutor(url, options)`. */
export type CreateExecutorLike = (moduleUrl: URL | string, options: { maxWorkers: number; idleTimeout?: number; [option: string]: unknown }) => unknown;

/** The adapter entry of an Offload backend: its name and its `createExecutor`. */
export function offloadAdapter(
  name: string,
  isolation: 'thread' | 'process',
  createExecutor: CreateExecutorLike,
  tasksUrl: URL | string,
  extraOptions: Record<string, unknown> = {},
): Adapter {
  return {
    name,
    kind: 'offload',
    isolation,
    create(workers) {
      const ex = createExecutor(tasksUrl, { ...extraOptions, maxWorkers: workers, idleTimeout: Number.POSITIVE_INFINITY }) as OffloadExecutorLike;
      return {
        run: (task, arg) => Promise.resolve(ex.submit(task, [arg])),
        async map(task, inputs, chunkSize) {
          let n = 0;
          for await (const _ of ex.map(task, inputs, { chunkSize })) n++;
          return n;
        },
        async stream(task, arg, options = {}) {
          let n = 0;
          if (!ex.stream) throw new Error(`${name} has no stream()`);
          // Small items: a deep window keeps the pipe full (the default, 16, suits large items).
          const items = ex.stream(task, [arg], { highWaterMark: options.highWaterMark ?? 8192 });
          const onItem = options.onItem;
          if (onItem) for await (const _ of items) await onItem(n++);
          else for await (const _ of items) n++;
          return n;
        },
        close: () => ex.shutdown(),
      };
    },
  };
}

/**
 * The caller side of a raw floor's stream, as a user writes it by hand over a
 * raw worker: batches are pushed as they arrive, and `items` is an async
 * iterator whose `next()` resolves at once while the batch at hand has items,
 * so its consumer pays one promise and one `for await` step per item, as
 * Offload's stream consumer does.
 */
export function batchStream(): { push: (batch: unknown[]) => void; end: () => void; items: AsyncIterableIterator<unknown> } {
  const batches: unknown[][] = [];
  let head: unknown[] = [];
  let at = 0;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const items: AsyncIterableIterator<unknown> = {
    next(): Promise<IteratorResult<unknown>> {
      if (at < head.length) return Promise.resolve({ value: head[at++], done: false });
      const batch = batches.shift();
      if (batch) {
        head = batch;
        at = 0;
        return items.next();
      }
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise<void>((r) => {
        wake = r;
      }).then(() => items.next());
    },
    [Symbol.asyncIterator]: () => items,
  };
  return {
    push: (batch) => {
      batches.push(batch);
      notify();
    },
    end: () => {
      ended = true;
      notify();
    },
    items,
  };
}

/** One raw worker as the floor sees it. */
export interface RawEndpoint {
  post(message: unknown): void;
  onMessage(fn: (message: unknown) => void): void;
  terminate(): Promise<unknown> | unknown;
}

/**
 * The raw floor: `workers` endpoints started at once, one message per task
 * each way (`[id, task, arg]` -> `[id, result]`), each task sent to the worker
 * with the fewest in flight. Not pipelined: at most one task per worker, the
 * rest wait in a plain array (a minimal fair pool for CPU work).
 */
export function rawPool(spawn: () => RawEndpoint, workers: number, pipelined: boolean): Pool {
  const limit = pipelined ? Number.POSITIVE_INFINITY : 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; worker: number; items?: (batch: unknown[]) => void }>();
  const inflight: number[] = [];
  const queue: [number, string, unknown][] = [];
  let nextId = 1;
  const endpoints: RawEndpoint[] = [];
  const dispatch = (msg: [number, string, unknown]): boolean => {
    let best = -1;
    for (let i = 0; i < endpoints.length; i++) if (inflight[i] < limit && (best < 0 || inflight[i] < inflight[best])) best = i;
    if (best < 0) return false;
    inflight[best]++;
    const p = pending.get(msg[0]);
    if (p) p.worker = best;
    endpoints[best].post(msg);
    return true;
  };
  for (let i = 0; i < workers; i++) {
    const ep = spawn();
    endpoints.push(ep);
    inflight.push(0);
    ep.onMessage((m) => {
      const [id, value] = m as [number, unknown];
      if (id === 0) return;
      if (id < 0) {
        pending.get(-id)?.items?.(value as unknown[]);
        return;
      }
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      inflight[p.worker]--;
      const next = queue.shift();
      if (next) dispatch(next);
      p.resolve(value);
    });
  }
  return {
    run(task, arg) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, { resolve, worker: -1 });
        const msg: [number, string, unknown] = [id, task, arg];
        if (!dispatch(msg)) queue.push(msg);
      });
    },
    async stream(task, arg) {
      const id = nextId++;
      const stream = batchStream();
      let total: unknown;
      pending.set(id, {
        resolve: (count) => {
          total = count;
          stream.end();
        },
        worker: -1,
        items: stream.push,
      });
      const msg: [number, string, unknown] = [id, task, arg];
      if (!dispatch(msg)) queue.push(msg);
      // The same consumer loop as Offload's stream.
      let n = 0;
      for await (const _ of stream.items) n++;
      if (total !== n) throw new Error(`received ${n} of ${String(total)} items`);
      return n;
    },
    async close() {
      await Promise.all(endpoints.map((e) => e.terminate()));
    },
  };
}
