/**
 * One `abort` listener per AbortSignal, however many tasks share it. A signal
 * passed to many tasks (every chunk of a `map()`, a request's signal given to
 * each of its submits) would otherwise carry one listener per task in flight,
 * and Node.js warns of a memory leak past ten (MaxListenersExceededWarning).
 * @module
 */

/** The tasks watching each signal, and the one listener that cancels them. */
export class AbortWatch<T> {
  readonly #watched = new Map<AbortSignal, { tasks: Set<T>; listener: () => void }>();

  /** @param onAbort called once per watching task when its signal aborts */
  constructor(readonly onAbort: (task: T, reason: unknown) => void) {}

  /** Cancel `task` through `onAbort` when `signal` aborts (unless it is taken off first). */
  add(signal: AbortSignal, task: T): void {
    let entry = this.#watched.get(signal);
    if (!entry) {
      const tasks = new Set<T>();
      const listener = (): void => {
        this.#watched.delete(signal);
        signal.removeEventListener('abort', listener);
        for (const t of tasks) this.onAbort(t, signal.reason);
      };
      entry = { tasks, listener };
      this.#watched.set(signal, entry);
      signal.addEventListener('abort', listener);
    }
    entry.tasks.add(task);
  }

  /** `task` no longer watches `signal` (it settled); the listener goes with the last task. */
  delete(signal: AbortSignal, task: T): void {
    const entry = this.#watched.get(signal);
    if (!entry?.tasks.delete(task) || entry.tasks.size > 0) return;
    this.#watched.delete(signal);
    signal.removeEventListener('abort', entry.listener);
  }
}
