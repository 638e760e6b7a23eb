/**
 * The executor's waiting line: higher priority first, FIFO within a priority.
 *
 * Priorities are any finite numbers (timestamps included), so the levels live
 * in a binary max-heap (O(log levels) to add or drop one) and each level is a
 * ring buffer (O(1) at both ends). A level is freed as soon as it holds no
 * live task. Removal is O(1) (a task notes its slot in `queueSlot`) and
 * clears the slot at once, so a cancelled task (and its arguments) is not
 * kept alive by the queue; the cleared slot is skipped when it reaches the
 * head, and a level with more cleared slots than tasks is compacted. Every
 * operation is O(log levels) or amortised O(1).
 * @module
 */

/** What the queue needs of a task: its priority, and two fields it keeps up to date. */
export interface Queued {
  /** Must not change while the task is queued. */
  priority: number;
  /** True while the task is in a queue. */
  queued: boolean;
  /**
   * The queue's note of where the task sits in its level, so that removing it
   * clears its slot in O(1). Declare it (any number) where tasks are created
   * to keep their shape stable; it means nothing outside the queue.
   */
  queueSlot?: number;
}

/** Compact a level once it holds more cleared slots than this and than live tasks. */
const COMPACT_MIN = 32;
/** Largest level buffer kept for reuse once its level is freed. */
const SPARE_MAX = 1024;

/**
 * One priority level: a ring buffer of tasks addressed by absolute position
 * (`first` is the position of the head; it decreases on unshift), so a
 * task's position stays valid while the buffer grows or wraps.
 */
class Level<T> {
  /** Slots; `undefined` is a removed entry or free space. Length is a power of two. */
  buf: (T | undefined)[] = new Array(4);
  /** Physical index of the head. */
  head = 0;
  /** Occupied slots, removed entries included. */
  len = 0;
  /** Absolute position of the head. */
  first = 0;
  /** Removed entries still occupying slots. */
  dead = 0;
  /** Index in the heap; -1 while it is the queue's spare. */
  pos = -1;
  constructor(public priority: number) {}

  get live(): number {
    return this.len - this.dead;
  }

  /** Append; returns the task's absolute position. */
  push(task: T): number {
    if (this.len === this.buf.length) this.#resize(this.buf.length * 2);
    this.buf[(this.head + this.len) & (this.buf.length - 1)] = task;
    this.len++;
    return this.first + this.len - 1;
  }

  /** Prepend; returns the task's absolute position. */
  unshift(task: T): number {
    if (this.len === this.buf.length) this.#resize(this.buf.length * 2);
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = task;
    this.len++;
    return --this.first;
  }

  /** Clear the slot at an absolute position. */
  clear(at: number): void {
    this.buf[(this.head + (at - this.first)) & (this.buf.length - 1)] = undefined;
    this.dead++;
  }

  /** Take the first live task (the caller knows there is one). */
  shift(): T {
    let t: T | undefined;
    while (t === undefined && this.len > 0) {
      t = this.buf[this.head];
      this.buf[this.head] = undefined;
      this.head = (this.head + 1) & (this.buf.length - 1);
      this.first++;
      this.len--;
      if (t === undefined) this.dead--;
    }
    return t as T;
  }

  /** Live tasks, head first. */
  *entries(): Generator<T> {
    const mask = this.buf.length - 1;
    for (let i = 0; i < this.len; i++) {
      const t = this.buf[(this.head + i) & mask];
      if (t !== undefined) yield t;
    }
  }

  /** Empty it for reuse by another priority. */
  reset(): void {
    if (this.len > this.dead) this.buf.fill(undefined);
    this.head = 0;
    this.len = 0;
    this.first = 0;
    this.dead = 0;
  }

  /** Drop the cleared slots; positions restart at 0 in order (the caller re-indexes). */
  compact(): void {
    const live = [...this.entries()];
    const n = live.length;
    let cap = 4;
    while (cap < n) cap *= 2;
    live.length = cap;
    this.buf = live;
    this.head = 0;
    this.len = n;
    this.first = 0;
    this.dead = 0;
  }

  #resize(cap: number): void {
    const next: (T | undefined)[] = new Array(cap);
    const mask = this.buf.length - 1;
    for (let i = 0; i < this.len; i++) next[i] = this.buf[(this.head + i) & mask];
    this.buf = next;
    this.head = 0;
  }
}

/** Priority FIFO: highest priority first, first in first out within a priority. */
export class TaskQueue<T extends Queued> {
  /** Max-heap of the non-empty levels by priority. */
  #heap: Level<T>[] = [];
  #levels = new Map<number, Level<T>>();
  #size = 0;
  /**
   * The last small level freed, kept (still indexed under its priority, but
   * out of the heap) for the next level to be made: a queue that keeps
   * emptying and refilling allocates nothing and seldom touches the index.
   */
  #spare: Level<T> | undefined;

  /** Live entries. */
  get size(): number {
    return this.#size;
  }

  /** @internal priority levels in use (each holds a live task); the one empty spare is not counted. */
  get levelCount(): number {
    return this.#heap.length;
  }

  /** @internal slots that still reference a task, removed ones included (so: the live tasks, as removal clears). */
  get retained(): number {
    let n = 0;
    for (const level of this.#heap) for (const t of level.buf) if (t !== undefined) n++;
    return n;
  }

  /** @internal occupied slots, cleared ones included (compaction keeps them within about twice the live tasks). */
  get slots(): number {
    let n = 0;
    for (const level of this.#heap) n += level.len;
    return n;
  }

  /** Add at the back of its priority level (a task already queued is moved). */
  push(task: T): void {
    if (task.queued) this.remove(task);
    task.queueSlot = this.#level(task.priority).push(task);
    task.queued = true;
    this.#size++;
  }

  /** Put at the front of its priority level (a task that must run again; a task already queued is moved). */
  unshift(task: T): void {
    if (task.queued) this.remove(task);
    task.queueSlot = this.#level(task.priority).unshift(task);
    task.queued = true;
    this.#size++;
  }

  /** Remove a task wherever it is; false if it was not queued. */
  remove(task: T): boolean {
    if (!task.queued) return false;
    task.queued = false;
    this.#size--;
    const level = this.#levels.get(task.priority) as Level<T>;
    level.clear(task.queueSlot as number);
    if (level.live === 0) this.#drop(level);
    else if (level.dead > COMPACT_MIN && level.dead > level.live) {
      level.compact();
      let i = 0;
      for (const t of level.entries()) t.queueSlot = i++;
    }
    return true;
  }

  /** Take the next task: the oldest of the highest priority. */
  shift(): T | undefined {
    const level = this.#heap[0];
    if (level === undefined) return undefined;
    const task = level.shift();
    task.queued = false;
    this.#size--;
    if (level.live === 0) this.#drop(level);
    return task;
  }

  /** Remove and return every task, in order. */
  drain(): T[] {
    const out: T[] = [];
    while (this.#heap.length > 0) {
      const level = this.#heap[0] as Level<T>;
      for (const t of level.entries()) {
        t.queued = false;
        out.push(t);
      }
      this.#drop(level);
    }
    this.#size = 0;
    return out;
  }

  #level(priority: number): Level<T> {
    let level = this.#levels.get(priority);
    if (level !== undefined && level.pos >= 0) return level;
    if (level === undefined) {
      level = this.#spare;
      if (level === undefined) level = new Level<T>(priority);
      else {
        this.#levels.delete(level.priority);
        level.priority = priority;
      }
      this.#levels.set(priority, level);
    }
    if (level === this.#spare) this.#spare = undefined;
    level.pos = this.#heap.length;
    this.#heap.push(level);
    this.#up(level.pos);
    return level;
  }

  /** Take a level without live tasks out of the heap; keep it as the spare if it is small. */
  #drop(level: Level<T>): void {
    const last = this.#heap.pop() as Level<T>;
    if (last !== level) {
      this.#heap[level.pos] = last;
      last.pos = level.pos;
      this.#up(last.pos);
      this.#down(last.pos);
    }
    level.pos = -1;
    if (level.buf.length > SPARE_MAX) {
      this.#levels.delete(level.priority);
      return;
    }
    level.reset();
    if (this.#spare !== undefined) this.#levels.delete(this.#spare.priority);
    this.#spare = level;
  }

  #up(i: number): void {
    const heap = this.#heap;
    const x = heap[i] as Level<T>;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p] as Level<T>;
      if (parent.priority >= x.priority) break;
      heap[i] = parent;
      parent.pos = i;
      i = p;
    }
    heap[i] = x;
    x.pos = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const x = heap[i] as Level<T>;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const right = heap[c + 1];
      if (right !== undefined && right.priority > (heap[c] as Level<T>).priority) c++;
      const child = heap[c] as Level<T>;
      if (child.priority <= x.priority) break;
      heap[i] = child;
      child.pos = i;
      i = c;
    }
    heap[i] = x;
    x.pos = i;
  }
}
