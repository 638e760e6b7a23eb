/**
 * The conformance harness: a case is a named async function with the
 * capability flags it needs; a target says how to build an executor for one
 * backend on one runtime. Runtime-neutral (runs on Node, Deno, Bun, browsers).
 * @module
 */
import type { Capabilities, Executor, ExecutorOptions, TaskMap } from '@offload/core';
import { dequal } from 'dequal';
import type { Tasks } from './fixtures/tasks.js';

/** Fixture modules a target must be able to load. */
export type FixtureName = 'tasks' | 'broken' | 'init-fails' | 'no-expose' | 'plain-module' | 'late-expose' | 'ends-while-loading' | 'ends-in-init';

/** Extra abilities of a cell that are not backend capabilities. */
export interface TargetFlags {
  /** The target can check that a program using the executor exits by itself after shutdown. */
  processExit?: boolean;
  /**
   * Workers load the task module through the backend's own bootstrap (not a Worker
   * made on the module itself), so a module that imports nothing of Offload is seen too.
   */
  bootstrap?: boolean;
}

/** One cell of the portability matrix. */
export interface Target {
  /** `<backend>@<runtime>`, e.g. `node-worker@node`. */
  name: string;
  capabilities: Capabilities;
  flags?: TargetFlags;
  /** URL of a fixture module for this runtime. */
  fixture(name: FixtureName): URL | string;
  /** Build an executor on a module. */
  create(module: URL | string, options?: ExecutorOptions): Executor<TaskMap>;
  /**
   * Options under which at most `n` of an executor's tasks leave the caller at
   * once (running, or handed to the backend) and the rest wait in the
   * executor's own queue, by priority, counting against `maxQueue`. Default
   * `{ maxWorkers: n }`; a backend whose workers are not the caller's maps
   * it to its own bound (BullMQ: `maxInFlight`).
   */
  slots?(n: number): ExecutorOptions;
  /** Run a small program that uses the executor and shuts it down; resolve with whether it exited by itself. */
  exitsAfterShutdown?(): Promise<{ exited: boolean; detail: string }>;
}

/** A capability a case needs; it is skipped (never by name) when the target lacks it. */
export type Need = 'transfer' | 'parallel' | 'killRunning' | 'isolation' | 'processExit' | 'bootstrap' | 'localWorkers';

/** What a case receives. */
export interface Ctx {
  target: Target;
  /** An executor on the `tasks` fixture (or another), shut down after the case. */
  make(options?: ExecutorOptions, fixture?: FixtureName): Executor<Tasks>;
  /** The target's options for "at most `n` tasks out of the caller at once, the rest queue in it" (see {@link Target.slots}). */
  slots(n: number): ExecutorOptions;
  sleep(ms: number): Promise<void>;
}

/** One conformance case. */
export interface Case {
  name: string;
  needs?: Need[];
  /** Per-case limit in ms (default 15000). */
  timeout?: number;
  run(ctx: Ctx): Promise<void>;
}

/** Does the target have what the case needs? */
export function supports(target: Target, c: Case): boolean {
  const caps = target.capabilities;
  return (c.needs ?? []).every((n) => {
    if (n === 'isolation') return caps.isolation !== 'none';
    if (n === 'processExit') return target.flags?.processExit === true;
    if (n === 'bootstrap') return target.flags?.bootstrap === true;
    return caps[n] === true;
  });
}

/** Run one case against a target with cleanup and a time limit. */
export async function runCase(target: Target, c: Case): Promise<void> {
  const made: Executor<TaskMap>[] = [];
  const ctx: Ctx = {
    target,
    make(options = {}, fixture = 'tasks') {
      const ex = target.create(target.fixture(fixture), { cancelGrace: 100, ...options });
      made.push(ex);
      return ex as unknown as Executor<Tasks>;
    },
    slots: (n) => target.slots?.(n) ?? { maxWorkers: n },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  const limit = c.timeout ?? 15_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      c.run(ctx),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`case "${c.name}" did not finish within ${limit} ms`)), limit);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
    await Promise.all(made.map((ex) => ex.shutdown({ cancelPending: true, cancelRunning: true }).catch(() => {})));
  }
}

/** Assertion failed. */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

const show = (v: unknown): string => {
  try {
    return typeof v === 'bigint' ? `${v}n` : (JSON.stringify(v) ?? String(v));
  } catch {
    return String(v);
  }
};

/** Tiny assertion library that runs on every runtime. */
export const assert = {
  ok(value: unknown, message = 'expected a truthy value'): void {
    if (!value) throw new AssertionError(message);
  },
  equal<V>(actual: V, expected: V, message?: string): void {
    if (!Object.is(actual, expected)) throw new AssertionError(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
  },
  deepEqual(actual: unknown, expected: unknown, message?: string): void {
    if (!dequal(actual, expected)) throw new AssertionError(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
  },
  /** Await `p` and check that it rejects with an error of class `cls` (and code). */
  async rejects(p: PromiseLike<unknown>, cls: abstract new (...a: never[]) => unknown, code?: string): Promise<Error & { code?: string }> {
    try {
      await p;
    } catch (e) {
      if (!(e instanceof cls)) throw new AssertionError(`expected a ${cls.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
      if (code && (e as { code?: string }).code !== code) throw new AssertionError(`expected code ${code}, got ${(e as { code?: string }).code}`);
      return e as Error & { code?: string };
    }
    throw new AssertionError(`expected a rejection with ${cls.name}, but it fulfilled`);
  },
  throws(fn: () => unknown, cls: abstract new (...a: never[]) => unknown, what?: string): void {
    const of = what === undefined ? '' : ` (${what})`;
    try {
      fn();
    } catch (e) {
      if (e instanceof cls) return;
      throw new AssertionError(`expected ${cls.name}, got ${(e as Error)?.name}${of}`);
    }
    throw new AssertionError(`expected ${cls.name} to be thrown${of}`);
  },
};

/** Start `n` workers and wait until each has run a task, so timing-sensitive cases do not measure start-up. */
export async function warm(ex: { submit(name: 'sleep', args: [number]): PromiseLike<unknown> }, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => ex.submit('sleep', [30])));
}

/** Wait until `predicate` holds, polling every 5 ms, or fail after `ms`. For test set-up only. */
export async function until(predicate: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new AssertionError(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
