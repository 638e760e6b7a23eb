/**
 * Claim slots: how a task sent ahead to a worker stays reclaimable.
 *
 * Each task the executor sends to a worker that shares memory gets a slot in
 * an Int32Array over a SharedArrayBuffer held by both sides. The slot holds
 * the task's key while the task waits in the worker; the worker claims it
 * (key -> -key, one compare-and-swap) right before running it, and skips the
 * task if the swap fails. The executor revokes a task that has not started
 * (key -> 0) and hands it to another worker. A worker stuck in a synchronous
 * loop cannot answer messages, but it does not need to: both moves happen in
 * shared memory, and exactly one of them wins.
 * @module
 */

/** The key of task `id` in a slot: positive, never 0, and fits an Int32. */
export const claimKey = (id: number): number => (id % 0x7ffffffe) + 1;

/** Worker side: take task `id` in `slot` if it was not revoked. True means: run it. */
export function claim(view: Int32Array, slot: number, id: number): boolean {
  const key = claimKey(id);
  return Atomics.compareExchange(view, slot, key, -key) === key;
}

/** True when the runtime can share memory with its workers. */
export const canShareMemory = (): boolean =>
  typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;

/**
 * Most claim slots of one worker: a worker that shares memory with its
 * executor has at most this many tasks running, besides those sent ahead
 * (`concurrentTasksPerWorker` above it runs this many at once). It bounds the
 * shared buffer to 256 KB: a huge `concurrentTasksPerWorker` (1e9, say) would
 * otherwise ask for gigabytes and abort the process.
 */
export const MAX_CLAIM_SLOTS = 65_536;

/** Executor side: the slots of one worker. */
export class ClaimSlots {
  readonly buffer: SharedArrayBuffer;
  readonly #view: Int32Array;
  /** Released slots, reused first. */
  readonly #free: number[] = [];
  /** Slots never used yet: `#fresh` and above. */
  #fresh = 0;

  constructor(readonly size: number) {
    this.buffer = new SharedArrayBuffer(size * 4);
    this.#view = new Int32Array(this.buffer);
  }

  /** Slots not in use. */
  get available(): number {
    return this.#free.length + this.size - this.#fresh;
  }

  /** Reserve a slot for task `id`; -1 when none is free. */
  take(id: number): number {
    const slot = this.#free.pop() ?? (this.#fresh < this.size ? this.#fresh++ : undefined);
    if (slot === undefined) return -1;
    Atomics.store(this.#view, slot, claimKey(id));
    return slot;
  }

  /** The task in `slot` settled or was revoked: the slot may be reused. */
  release(slot: number): void {
    Atomics.store(this.#view, slot, 0);
    this.#free.push(slot);
  }

  /** Take back task `id` if the worker has not started it. True means: it never will. */
  revoke(slot: number, id: number): boolean {
    const key = claimKey(id);
    return Atomics.compareExchange(this.#view, slot, key, 0) === key;
  }

  /** Has the worker started task `id`? */
  started(slot: number, id: number): boolean {
    return Atomics.load(this.#view, slot) === -claimKey(id);
  }
}
