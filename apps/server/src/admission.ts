/**
 * Runs one task per input without overflowing the executor's queue: tasks are
 * submitted as room appears, and their outcomes are handed out in completion
 * order. This is what lets POST /primes take more numbers than the pool and
 * its queue hold at once.
 */
import type { Future } from '@offload/core';

/** How one input's task ended, named by the input's index. */
export type Outcome<R> = { index: number; status: 'fulfilled'; value: R } | { index: number; status: 'rejected'; reason: unknown };

export interface AdmissionOptions<R> {
  /** Submit the task of input `index`. */
  submit(index: number): Future<R>;
  /** Resolves when the executor's queue has room (`executor.capacity()`). */
  capacity(): Promise<void>;
  /** How many inputs. */
  count: number;
  /** Most tasks of this batch submitted and not settled at once, so one batch leaves room in the queue for other requests. */
  window: number;
}

const isQueueFull = (e: unknown): boolean => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'ERR_OFFLOAD_QUEUE_FULL';

const reasonOf = (f: Future<unknown>): Promise<unknown> =>
  f.then(
    () => undefined,
    (e: unknown) => e,
  );

/**
 * A batch of tasks admitted as the executor makes room. {@link start} submits
 * the first task and says whether the executor refused it (the server is busy:
 * the request gets a 503); the others are submitted afterwards, each as soon as
 * the batch is under its window and the queue has room, waiting for
 * `capacity()` instead of failing when the queue is momentarily full.
 */
export class Admission<R> {
  readonly #o: AdmissionOptions<R>;
  readonly #futures: Future<R>[] = [];
  /** Settled and not handed out yet, in completion order. */
  readonly #ready: Outcome<R>[] = [];
  #settled = 0;
  #delivered = 0;
  #stopped = false;
  /** Resolves at the next settlement or stop; replaced each time. */
  #changed!: Promise<void>;
  #notify!: () => void;

  constructor(options: AdmissionOptions<R>) {
    this.#o = options;
    this.#renew();
  }

  /**
   * Submit the first task. Resolves with the executor's error if it refused it
   * at once (full queue, shutting down), else with undefined, and then keeps
   * admitting the rest in the background.
   */
  async start(): Promise<unknown> {
    const first = this.#o.submit(0);
    if (first.state === 'rejected') return reasonOf(first);
    this.#track(0, first);
    this.#admitRest().catch(() => this.cancel());
    return undefined;
  }

  /** The next outcome in completion order; undefined once every input has one (or after {@link cancel}). */
  async next(): Promise<Outcome<R> | undefined> {
    for (;;) {
      const outcome = this.#ready.shift();
      if (outcome) {
        this.#delivered++;
        return outcome;
      }
      if (this.#stopped || this.#delivered === this.#o.count) return undefined;
      await this.#changed;
    }
  }

  /** Stop admitting and cancel every task submitted. */
  cancel(): void {
    this.#stopped = true;
    for (const f of this.#futures) f.cancel();
    this.#notify();
  }

  async #admitRest(): Promise<void> {
    let index = 1;
    while (index < this.#o.count && !this.#stopped) {
      if (this.#futures.length - this.#settled >= this.#o.window) {
        await this.#changed;
        continue;
      }
      const f = this.#o.submit(index);
      if (f.state === 'rejected') {
        const reason = await reasonOf(f);
        if (isQueueFull(reason)) {
          // Someone else took the room first: wait for more and try again.
          await this.#o.capacity();
          continue;
        }
      }
      this.#track(index++, f);
    }
  }

  #track(index: number, f: Future<R>): void {
    this.#futures.push(f);
    f.then(
      (value) => this.#settle({ index, status: 'fulfilled', value }),
      (reason: unknown) => this.#settle({ index, status: 'rejected', reason }),
    );
  }

  #settle(outcome: Outcome<R>): void {
    this.#settled++;
    this.#ready.push(outcome);
    this.#notify();
  }

  #renew(): void {
    this.#changed = new Promise<void>((resolve) => {
      this.#notify = () => {
        this.#renew();
        resolve();
      };
    });
  }
}
