/**
 * The executor's waiting line: FIFO within a priority level, higher priority
 * first. Removal is lazy (a cancelled entry is skipped when it reaches the
 * head), so cancelling a queued task is O(1).
 * @module
 */

/** A queue entry: `live` turns false when it is removed out of order. */
export interface Queued {
  priority: number;
  queued: boolean;
}

class Deque<T> {
  items: (T | undefined)[] = [];
  head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(x: T): void {
    this.items.push(x);
  }
  unshift(x: T): void {
    if (this.head > 0) this.items[--this.head] = x;
    else this.items.unshift(x);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
}

/** Priority FIFO with lazy deletion. */
export class TaskQueue<T extends Queued> {
  #levels: number[] = [];
  #buckets = new Map<number, Deque<T>>();
  #size = 0;

  /** Live entries. */
  get size(): number {
    return this.#size;
  }

  #bucket(priority: number): Deque<T> {
    let b = this.#buckets.get(priority);
    if (!b) {
      b = new Deque<T>();
      this.#buckets.set(priority, b);
      this.#levels.push(priority);
      this.#levels.sort((a, c) => c - a);
    }
    return b;
  }

  /** Add at the back of its priority level. */
  push(task: T): void {
    task.queued = true;
    this.#bucket(task.priority).push(task);
    this.#size++;
  }

  /** Put back at the front of its priority level (a task that must run again). */
  unshift(task: T): void {
    task.queued = true;
    this.#bucket(task.priority).unshift(task);
    this.#size++;
  }

  /** Remove a task wherever it is. */
  remove(task: T): boolean {
    if (!task.queued) return false;
    task.queued = false;
    this.#size--;
    return true;
  }

  /** Take the next live task. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    for (const level of this.#levels) {
      const b = this.#buckets.get(level) as Deque<T>;
      while (b.length > 0) {
        const t = b.shift() as T;
        if (t.queued) {
          t.queued = false;
          this.#size--;
          return t;
        }
      }
    }
    return undefined;
  }

  /** Remove and return every live task, in order. */
  drain(): T[] {
    const out: T[] = [];
    for (let t = this.shift(); t; t = this.shift()) out.push(t);
    return out;
  }
}
