/**
 * Future: the handle of one submitted task. It is a real Promise (await it,
 * pass it to Promise.all) with the state and cancellation of Python's
 * concurrent.futures.Future.
 * @module
 */
import { CancelledError } from './errors.js';

/** Lifecycle of a Future. `pending` = queued, `running` = handed to a worker. */
export type FutureState = 'pending' | 'running' | 'fulfilled' | 'rejected' | 'cancelled';

const noop = () => {};
const promiseThen = Promise.prototype.then;

/** Told by a Future when it is cancelled, so it can stop the work behind it. */
export interface CancelOwner<K> {
  cancel(key: K, reason: CancelledError): void;
}

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
  /** @internal the executor that runs the task, and its key for it (no closure per task). */
  owner: CancelOwner<never> | undefined = undefined;
  /** @internal */
  ownerKey: unknown = undefined;

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
              (x) => this.settleFulfilled(x),
              (e) => this.settleRejected(e),
            ),
          (e) => this.settleRejected(e),
        );
      } catch (e) {
        this.settleRejected(e);
      }
    }
  }

  /** Current state. */
  get state(): FutureState {
    return this.#state;
  }
  /** True once fulfilled, rejected or cancelled. */
  done(): boolean {
    return this.#state !== 'pending' && this.#state !== 'running';
  }
  /** True while a worker runs the task. */
  running(): boolean {
    return this.#state === 'running';
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
    const error =
      reason instanceof CancelledError
        ? reason
        : new CancelledError(
            reason === undefined ? 'The task was cancelled.' : `The task was cancelled: ${String(reason instanceof Error ? reason.message : reason)}`,
            {
              cause: reason,
            },
          );
    const owner = this.owner;
    this.#settle('cancelled', error);
    owner?.cancel(this.ownerKey as never, error);
    return true;
  }

  /** @internal mark as running. */
  markRunning(): void {
    if (this.#state === 'pending') this.#state = 'running';
  }
  /** @internal settle with a value; ignored if already settled. */
  settleFulfilled(value: T): boolean {
    return this.#settle('fulfilled', value);
  }
  /** @internal settle with an error; ignored if already settled. */
  settleRejected(error: unknown): boolean {
    return this.#settle('rejected', error);
  }
  /** @internal settle as cancelled without telling the owner (it is the one cancelling). */
  settleCancelled(error: CancelledError): boolean {
    return this.#settle('cancelled', error);
  }

  #settle(state: 'fulfilled' | 'rejected' | 'cancelled', outcome: unknown): boolean {
    if (this.done()) return false;
    this.#state = state;
    this.owner = undefined;
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
