/**
 * A fake world for the scheduler test: a {@link Spawn} whose workers run the
 * REAL worker side (`serve()`) over an in-memory endpoint, with messages
 * delivered in microtasks and every delay on the (fake) timers. The test
 * decides what each worker does while starting, what each task does, and when
 * a worker dies.
 * @module
 */
import type { Batch, FromWorker } from '../src/protocol.js';
import type { Capabilities, Spawn, TransportEvents } from '../src/transport.js';
import { serve } from '../src/worker.js';

/** What the n-th spawned worker does while it starts. */
export interface StartBehaviour {
  /** Fake ms before the module "loads" and calls serve(). Default 0 (next microtask). */
  delay?: number;
  /** The module never calls serve()/expose(). */
  never?: boolean;
  /** The worker is killed from outside while starting (exit with no error) after `delay`. */
  killed?: boolean;
  /** The module cannot load: exit with this error after `delay`. */
  loadError?: Error;
  /** The `init` function given to expose() throws. */
  initThrows?: boolean;
}

interface Held {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  worker: number;
}

/** One spawned worker as the fake world sees it. */
export interface FakeWorker {
  id: number;
  /** Not yet reported as exited. */
  alive: boolean;
  /** serve() was called. */
  serving: boolean;
  /** Task names in the order they started running on this worker. */
  ran: string[];
  /** Tasks running at this moment (started, not settled). */
  running: number;
  /** Most tasks that ran at once on this worker. */
  maxRunning: number;
  /** How many times the executor called terminate() on it. */
  terminateCalls: number;
  /** Report the exit of this worker to the executor now. */
  exit(info: { error?: unknown; exitCode?: number; signal?: string }): void;
}

/** Capabilities of the fake backend. */
export const fakeCapabilities: Capabilities = {
  backend: 'fake',
  transfer: true,
  parallel: true,
  killRunning: true,
  isolation: 'thread',
  resourceLimits: false,
  localWorkers: true,
  killMethod: 'fake terminate',
  startup: 'fake',
  prefetch: 'claim slots when the world shares memory',
};

/**
 * The world: `spawn` for the executor, the list of workers, the tasks'
 * controls. Task functions exposed to the executor:
 * - `ret(x)` returns x; `fail(msg)` throws a TypeError;
 * - `hold(key)` returns a promise the test settles with `release(key)` / `reject(key)`;
 *   it ignores its AbortSignal (a task that does not stop when cancelled);
 * - `crash(code)` makes its worker exit with `code` in the next microtask.
 */
export class FakeWorld {
  readonly workers: FakeWorker[] = [];
  /** Most workers alive at once (spawned minus exited). */
  maxLive = 0;
  /** Fake ms a terminated worker takes to report its exit. */
  terminateDelay = 1;
  #behaviours: (id: number) => StartBehaviour;
  #held = new Map<string, Held>();

  /** Workers share memory with the executor (claim slots), as worker_threads, Deno and Bun do; false is like child processes. */
  readonly sharedMemory: boolean;

  constructor(behaviours: (id: number) => StartBehaviour = () => ({}), options: { sharedMemory?: boolean } = {}) {
    this.sharedMemory = options.sharedMemory ?? true;
    this.#behaviours = behaviours;
  }

  /** Workers spawned and not yet exited. */
  live(): number {
    return this.workers.filter((w) => w.alive).length;
  }

  /** Keys of `hold` tasks running now. */
  heldKeys(): string[] {
    return [...this.#held.keys()];
  }

  /** True while a `hold(key)` task is running. */
  holding(key: string): boolean {
    return this.#held.has(key);
  }

  /** Which worker runs `hold(key)`. */
  holderOf(key: string): FakeWorker | undefined {
    const h = this.#held.get(key);
    return h && this.workers.find((w) => w.id === h.worker);
  }

  /** Fulfil the running `hold(key)` with `value` (default: the key). */
  release(key: string, value: unknown = key): void {
    const h = this.#held.get(key);
    if (!h) throw new Error(`no running hold("${key}")`);
    this.#held.delete(key);
    h.resolve(value);
  }

  /** Reject the running `hold(key)`. */
  reject(key: string, error: unknown): void {
    const h = this.#held.get(key);
    if (!h) throw new Error(`no running hold("${key}")`);
    this.#held.delete(key);
    h.reject(error);
  }

  /** Crash the worker with this id (as if the process died with `exitCode`). */
  crash(id: number, exitCode = 1): void {
    this.workers.find((w) => w.id === id)?.exit({ exitCode });
  }

  readonly spawn: Spawn = (events: TransportEvents) => {
    const world = this;
    const id = this.workers.length + 1;
    const behaviour = this.#behaviours(id);
    let toWorker: ((data: unknown) => void) | undefined;
    /** terminate() was called: it delivers nothing more. */
    let stopped = false;
    const pending: unknown[] = [];
    const worker: FakeWorker = {
      id,
      alive: true,
      serving: false,
      ran: [],
      running: 0,
      maxRunning: 0,
      terminateCalls: 0,
      exit(info) {
        if (!worker.alive) return;
        worker.alive = false;
        for (const [key, h] of world.#held) if (h.worker === id) world.#held.delete(key);
        events.exit(info);
      },
    };
    this.workers.push(worker);
    this.maxLive = Math.max(this.maxLive, this.live());

    const track = <V>(name: string, run: () => V | Promise<V>): V | Promise<V> => {
      worker.ran.push(name);
      worker.running++;
      worker.maxRunning = Math.max(worker.maxRunning, worker.running);
      const done = () => {
        worker.running--;
      };
      let result: V | Promise<V>;
      try {
        result = run();
      } catch (error) {
        done();
        throw error;
      }
      if (result instanceof Promise) return result.finally(done);
      done();
      return result;
    };
    const tasks = {
      ret: (x: unknown) => track('ret', () => x),
      fail: (message: string) =>
        track('fail', () => {
          throw new TypeError(message);
        }),
      hold: (key: string) =>
        track(
          'hold',
          () =>
            new Promise((resolve, reject) => {
              world.#held.set(key, { resolve, reject, worker: id });
            }),
        ),
      crash: (code = 1) =>
        track('crash', () => {
          queueMicrotask(() => worker.exit({ exitCode: code }));
          return new Promise(() => {});
        }),
    };

    const load = () => {
      if (!worker.alive || stopped) return;
      if (behaviour.killed) return worker.exit({ signal: 'SIGKILL' });
      if (behaviour.loadError) return worker.exit({ error: behaviour.loadError });
      if (behaviour.never) return;
      worker.serving = true;
      const init = behaviour.initThrows
        ? () => {
            throw new Error(`init failed on worker #${id}`);
          }
        : undefined;
      serve(
        {
          post: (batch: Batch<FromWorker>, transfer) => {
            const copy = structuredClone(batch, { transfer });
            queueMicrotask(() => worker.alive && !stopped && events.message(copy));
          },
          listen: (fn) => {
            toWorker = fn;
          },
          // Asked to close, the worker ends itself once its last result is out.
          close: () => queueMicrotask(() => worker.exit({})),
        },
        tasks,
        init ? { init } : {},
      );
      for (const b of pending.splice(0)) toWorker?.(b);
    };
    if (behaviour.delay) setTimeout(load, behaviour.delay);
    else queueMicrotask(load);

    return {
      sharedMemory: world.sharedMemory,
      post(batch, transfer) {
        const copy = structuredClone(batch, { transfer });
        queueMicrotask(() => {
          if (!worker.alive || stopped) return;
          if (toWorker) toWorker(copy);
          else pending.push(copy);
        });
      },
      terminate() {
        worker.terminateCalls++;
        if (!worker.alive || stopped) return;
        stopped = true;
        setTimeout(() => worker.exit({}), world.terminateDelay);
      },
    };
  };
}
