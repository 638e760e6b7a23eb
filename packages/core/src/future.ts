/**
 * Future: the handle of one submitted task. It is a real Promise (await it,
 * pass it to Promise.all) with the state and cancellation of Python's
 * concurrent.futures.Future.
 * @module
 */
import { isInstance, messageOf } from './describe.js';
import { CancelledError } from './errors.js';

/** Lifecycle of a Future. `pending` = queued, or sent ahead to a worker that has not started it; `running` = a worker is executing it. */
export type FutureState = 'pending' | 'running' | 'fulfilled' | 'rejected' | 'cancelled';

const noop = () => {};
const promiseThen = Promise.prototype.then;

/** Told by a Future when it is cancelled, so it can stop the work behind it. Internal to the core. */
export interface CancelOwner<K> {
  cancel(key: K, reason: CancelledError): void;
  /** Whether the work behind `key` has started executing. */
  started(key: K): boolean;
}

/**
 * The core's private handles on a Future. They are set from inside the class
 * (a static block), so only modules of the core that import them can settle a
 * Future or bind it to an executor; nothing is reachable from a Future itself.
 * @internal
 */
export let settleFuture: (future: Future<unknown>, state: 'fulfilled' | 'rejected' | 'cancelled', outcome: unknown) => boolean;
/** Tell a Future who runs it (core-internal). @internal */
export let bindFuture: (future: Future<unknown>, owner: CancelOwner<never>, key: unknown) => void;

/**
 * A Promise of a task's result that knows its state and can be cancelled.
 * Settles exactly once. `then`/`catch`/`finally` return plain Promises.
 */
export class Future<T> extends Promise<T> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  #state: FutureState = 'pending';
  #resolve!: (value: T) => void;
  #reject!: (reason: unknown) => void;
  /** The executor that runs the task, and its key for it (no closure per task). */
  #owner: CancelOwner<never> | undefined = undefined;
  #key: unknown = undefined;

  static {
    settleFuture = (f, state, outcome) => f.#settle(state, outcome);
    bindFuture = (f, owner, key) => {
      f.#owner = owner;
      f.#key = key;
    };
  }

  constructor(executor?: (resolve: (value: T | PromiseLike<T>) => void, reject: (reason?: unknown) => void) => void) {
    let res!: (value: T) => void;
    let rej!: (reason: unknown) => void;
    super((a, b) => {
      res = a;
      rej = b;
    });
    this.#resolve = res;
    this.#reject = rej;
    if (executor) {
      try {
        executor(
          (v) =>
            void Promise.resolve(v).then(
              (x) => this.#settle('fulfilled', x),
              (e) => this.#settle('rejected', e),
            ),
          (e) => this.#settle('rejected', e),
        );
      } catch (e) {
        this.#settle('rejected', e);
      }
    }
  }

  /** Current state: `running` once a worker has started executing the task (not merely received it). */
  get state(): FutureState {
    if (this.#state === 'pending' && this.#owner?.started(this.#key as never)) this.#state = 'running';
    return this.#state;
  }
  /** True once fulfilled, rejected or cancelled. */
  done(): boolean {
    return this.#state !== 'pending' && this.#state !== 'running';
  }
  /** True while a worker is executing the task (a task sent ahead to a worker but not started is still pending). */
  running(): boolean {
    return this.state === 'running';
  }
  /** True if the Future was cancelled. */
  cancelled(): boolean {
    return this.#state === 'cancelled';
  }

  /**
   * Cancel the task. A queued task is removed from the queue; a running task's
   * signal is aborted and, if it does not stop within the executor's grace
   * period, its worker is terminated and replaced. The Future rejects with
   * {@link CancelledError} at once. Returns false if the Future was already settled.
   * A cancelled Future never causes an unhandled-rejection warning.
   */
  cancel(reason?: unknown): boolean {
    if (this.done()) return false;
    // Any reason is taken, even one that cannot be turned into text (no prototype, a revoked Proxy).
    const error = isInstance(reason, CancelledError)
      ? (reason as CancelledError)
      : new CancelledError(reason === undefined ? 'The task was cancelled.' : `The task was cancelled: ${messageOf(reason)}`, { cause: reason });
    const owner = this.#owner;
    const key = this.#key;
    this.#settle('cancelled', error);
    owner?.cancel(key as never, error);
    return true;
  }

  #settle(state: 'fulfilled' | 'rejected' | 'cancelled', outcome: unknown): boolean {
    if (this.done()) return false;
    this.#state = state;
    this.#owner = undefined;
    this.#key = undefined;
    if (state === 'fulfilled') this.#resolve(outcome as T);
    else {
      // A cancellation is never an unhandled rejection; awaiting the Future still throws.
      if (state === 'cancelled') promiseThen.call(this, undefined, noop);
      this.#reject(outcome);
    }
    return true;
  }

  override get [Symbol.toStringTag](): string {
    return 'Future';
  }
}
