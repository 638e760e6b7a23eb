/**
 * Model-based fuzz of an executor over a real backend (issue 9 §5): random
 * sequences of submits (tasks that return, throw, sleep, spin ignoring their
 * signal, exit their worker, exhaust its heap), cancellations at random times,
 * timeouts, priorities, `map` with `break`, and a final `shutdown` with any
 * options. After each sequence, the invariants below must hold; a broken one
 * is returned as a sentence, so that fast-check shrinks to the smallest
 * sequence that breaks it.
 *
 * Invariants: every Future settles exactly once, with the outcome its task
 * allows (an innocent task never fails because a neighbour crashed); nothing
 * is pending once `shutdown()` (waiting) resolves; `stats()` adds up; live
 * workers never exceed `maxWorkers` (in stats(), and as the runtime counts
 * threads or processes); no unhandled rejection and no process warning
 * (TimeoutOverflowWarning, MaxListenersExceededWarning...).
 * @module
 */
import type { Executor, ExecutorOptions, Future, ShutdownOptions } from '@offload/core';
import fc from 'fast-check';

type TaskKind = 'ret' | 'throw' | 'sleep' | 'spin' | 'exit' | 'oom' | 'uncloneable';
type Submit = { c: 'submit'; task: TaskKind; ms: number; priority: number; timeout: number | undefined };
/** One step of a sequence. */
export type Command =
  | Submit
  | { c: 'cancel'; index: number; after: number }
  | { c: 'wait'; ms: number }
  | { c: 'map'; n: number; breakAt: number; chunkSize: number; ordered: boolean };

/** A whole run: executor options, the steps, and how it is shut down. */
export interface Sequence {
  options: Required<Pick<ExecutorOptions, 'maxWorkers' | 'minWorkers' | 'maxTasksPerWorker' | 'concurrentTasksPerWorker' | 'cancelGrace'>>;
  commands: Command[];
  shutdown: Required<ShutdownOptions>;
}

/** How the fuzz reaches one backend. */
export interface FuzzWorld {
  backend: string;
  /** An executor over the conformance task module, with a small heap per worker (64 MB). */
  create(options: ExecutorOptions): Executor;
  /** Start counting the workers (threads, processes) that are really alive, as the runtime reports them. */
  countWorkers?(): WorkerCount;
}

/** Live workers as the runtime sees them: created and not yet exited. */
export interface WorkerCount {
  /** Most alive at once since counting started. */
  peak(): number;
  /** Alive now. */
  live(): number;
  stop(): void;
}

/** A counter fed by `created(handle)`; each handle must emit `exit` once. */
export function liveCounter(): WorkerCount & { created(handle: { once(event: 'exit', fn: () => void): unknown }): void } {
  let live = 0;
  let peak = 0;
  return {
    created(handle) {
      live++;
      peak = Math.max(peak, live);
      handle.once('exit', () => {
        live--;
      });
    },
    peak: () => peak,
    live: () => live,
    stop() {},
  };
}

const submitArb: fc.Arbitrary<Command> = fc.record({
  c: fc.constant('submit' as const),
  task: fc.oneof(
    { arbitrary: fc.constant('ret' as const), weight: 8 },
    { arbitrary: fc.constant('throw' as const), weight: 4 },
    { arbitrary: fc.constant('sleep' as const), weight: 6 },
    { arbitrary: fc.constant('spin' as const), weight: 4 },
    { arbitrary: fc.constant('exit' as const), weight: 2 },
    { arbitrary: fc.constant('oom' as const), weight: 1 },
    { arbitrary: fc.constant('uncloneable' as const), weight: 1 },
  ),
  ms: fc.integer({ min: 0, max: 60 }),
  priority: fc.integer({ min: -2, max: 2 }),
  // Beyond 2**31-1 ms a timeout means "never" in any realistic run.
  timeout: fc.option(fc.oneof({ arbitrary: fc.integer({ min: 1, max: 120 }), weight: 4 }, fc.constantFrom(2 ** 31, 2 ** 32, 1e12)), {
    nil: undefined,
    freq: 3,
  }),
});

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: submitArb, weight: 6 },
  {
    arbitrary: fc.record({ c: fc.constant('cancel' as const), index: fc.nat(40), after: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })) }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      c: fc.constant('wait' as const),
      ms: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 30 }), weight: 3 }, fc.integer({ min: 100, max: 400 })),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      c: fc.constant('map' as const),
      n: fc.integer({ min: 1, max: 10 }),
      breakAt: fc.integer({ min: 0, max: 10 }),
      chunkSize: fc.integer({ min: 1, max: 3 }),
      ordered: fc.boolean(),
    }),
    weight: 1,
  },
);

/** Random sequences, small enough that one runs in about a second. */
export const sequenceArb: fc.Arbitrary<Sequence> = fc.record({
  options: fc.integer({ min: 1, max: 3 }).chain((maxWorkers) =>
    fc.record({
      maxWorkers: fc.constant(maxWorkers),
      // minWorkers = maxWorkers and small maxTasksPerWorker are where replacements race the bound.
      minWorkers: fc.oneof(fc.constant(maxWorkers), fc.integer({ min: 0, max: maxWorkers })),
      maxTasksPerWorker: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 4 })),
      concurrentTasksPerWorker: fc.integer({ min: 1, max: 2 }),
      cancelGrace: fc.integer({ min: 20, max: 200 }),
    }),
  ),
  commands: fc.array(commandArb, { minLength: 1, maxLength: 16 }),
  shutdown: fc.record({ wait: fc.boolean(), cancelPending: fc.boolean(), cancelRunning: fc.boolean() }),
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const codeOf = (e: unknown) => (e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined);
const show = (e: unknown) => (e instanceof Error ? `${e.name}(${String(codeOf(e) ?? '')}): ${e.message.slice(0, 120)}` : JSON.stringify(e));

/** Resolves true when `p` settles within `ms`, false otherwise. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), limit]);
  } finally {
    clearTimeout(timer);
  }
}

interface Tracked {
  i: number;
  cmd: Submit;
  future: Future<unknown>;
  cancelledByUs: boolean;
  settles: number;
  ok?: boolean;
  value?: unknown;
}

function call(cmd: Submit, i: number): [string, unknown[]] {
  switch (cmd.task) {
    case 'ret':
      return ['inc', [i]];
    case 'throw':
      return ['throwError', ['RangeError', `boom ${i}`]];
    case 'sleep':
      return ['sleep', [cmd.ms, i]];
    case 'spin':
      return ['spin', [cmd.ms]];
    case 'exit':
      return ['exitProcess', [3]];
    case 'oom':
      return ['allocate', [4096]];
    case 'uncloneable':
      return ['echo', [() => i]];
  }
}

/** What is wrong with the outcome of one task, if anything. */
function judge(t: Tracked, shutdownCancels: boolean): string | undefined {
  const { future, cmd, i } = t;
  const what = `task #${i} (${cmd.task}${cmd.timeout ? `, timeout ${cmd.timeout}` : ''})`;
  if (t.settles !== 1) return `${what} settled ${t.settles} times`;
  if ((future.state === 'fulfilled') !== t.ok) return `${what} is ${future.state} but its promise ${t.ok ? 'fulfilled' : 'rejected'}`;
  if (t.cancelledByUs) return future.state === 'cancelled' ? undefined : `${what} was cancelled by the caller but is ${future.state}`;
  if (future.state === 'cancelled') return shutdownCancels ? undefined : `${what} is cancelled though nobody cancelled it`;
  if (!t.ok && codeOf(t.value) === 'ERR_OFFLOAD_TIMEOUT') return cmd.timeout !== undefined && cmd.timeout < 2 ** 31 ? undefined : `${what} timed out`;
  const bad = `${what} ${t.ok ? `returned ${JSON.stringify(t.value)}` : `failed with ${show(t.value)}`}`;
  switch (cmd.task) {
    case 'ret':
      return t.ok && t.value === i + 1 ? undefined : bad;
    case 'sleep':
      return t.ok && t.value === i ? undefined : bad;
    case 'spin':
      return t.ok && typeof t.value === 'number' ? undefined : bad;
    case 'throw':
      return !t.ok && t.value instanceof RangeError && t.value.message === `boom ${i}` ? undefined : bad;
    case 'exit':
    case 'oom':
      return !t.ok && codeOf(t.value) === 'ERR_OFFLOAD_WORKER_CRASHED' ? undefined : bad;
    case 'uncloneable':
      return !t.ok && codeOf(t.value) === 'ERR_OFFLOAD_SERIALIZATION' ? undefined : bad;
  }
}

/** Run one sequence; returns the invariants it broke (empty when none). */
export async function runSequence(world: FuzzWorld, seq: Sequence): Promise<string[]> {
  const violations = new Set<string>();
  const unhandled = (reason: unknown) => violations.add(`unhandled rejection: ${show(reason)}`);
  process.on('unhandledRejection', unhandled);
  const warned = (w: Error) => violations.add(`process warning: ${w.name}: ${w.message.slice(0, 120)}`);
  process.on('warning', warned);
  const { maxWorkers } = seq.options;
  const counter = world.countWorkers?.();
  const ex = world.create({ ...seq.options });
  const poll = setInterval(() => {
    const w = ex.stats().workers;
    if (w > maxWorkers) violations.add(`stats().workers reached ${w} > maxWorkers ${maxWorkers}`);
  }, 2);
  const tracked: Tracked[] = [];
  const later: Promise<unknown>[] = [];
  let maps = 0;
  try {
    for (const cmd of seq.commands) {
      if (cmd.c === 'submit') {
        const i = tracked.length;
        const [name, args] = call(cmd, i);
        const future = ex.submit(name, args, { priority: cmd.priority, ...(cmd.timeout ? { timeout: cmd.timeout } : {}) });
        const t: Tracked = { i, cmd, future, cancelledByUs: false, settles: 0 };
        future.then(
          (v) => {
            t.settles++;
            t.ok = true;
            t.value = v;
          },
          (e) => {
            t.settles++;
            t.ok = false;
            t.value = e;
          },
        );
        tracked.push(t);
      } else if (cmd.c === 'cancel') {
        const cancel = () => {
          const t = tracked[cmd.index % Math.max(1, tracked.length)];
          if (t?.future.cancel()) t.cancelledByUs = true;
        };
        // after 0: at once, in the same tick as the submits before it.
        if (cmd.after === 0) cancel();
        else later.push(sleep(cmd.after).then(cancel));
      } else if (cmd.c === 'wait') {
        await sleep(cmd.ms);
      } else {
        maps++;
        later.push(
          (async () => {
            const got: unknown[] = [];
            try {
              for await (const v of ex.map(
                'inc',
                Array.from({ length: cmd.n }, (_, k) => k),
                { chunkSize: cmd.chunkSize, ordered: cmd.ordered },
              )) {
                got.push(v);
                if (got.length > cmd.breakAt) break;
              }
            } catch (e) {
              if (!['ERR_OFFLOAD_SHUTDOWN', 'ERR_OFFLOAD_CANCELLED'].includes(String(codeOf(e)))) violations.add(`map threw ${show(e)}`);
            }
            const want = cmd.ordered ? got.map((_, k) => k + 1) : [...got].sort((a, b) => Number(a) - Number(b));
            if (cmd.ordered ? JSON.stringify(got) !== JSON.stringify(want) : new Set(got).size !== got.length) {
              violations.add(`map yielded ${JSON.stringify(got)}`);
            }
          })(),
        );
      }
    }
    const s = seq.shutdown;
    const closing = ex.shutdown(s);
    const afterShutdown = ex.submit('inc', [0]);
    await afterShutdown.then(
      () => violations.add('a submit after shutdown() was accepted'),
      (e) => codeOf(e) === 'ERR_OFFLOAD_SHUTDOWN' || violations.add(`a submit after shutdown() failed with ${show(e)}`),
    );
    if (!(await within(closing, 30_000))) violations.add(`shutdown(${JSON.stringify(s)}) did not resolve within 30 s`);
    else if (s.wait) {
      const pending = tracked.filter((t) => !t.future.done());
      if (pending.length > 0) violations.add(`${pending.length} futures pending after shutdown() resolved`);
      const st = ex.stats();
      if (st.workers + st.running + st.queued > 0) violations.add(`after shutdown(): ${st.workers} workers, ${st.running} running, ${st.queued} queued`);
    } else if (!(await within(ex.shutdown(), 30_000))) violations.add('shutdown() after shutdown({wait: false}) did not resolve within 30 s');
    if (!(await within(Promise.all(later), 10_000))) violations.add('a map loop did not end within 10 s of shutdown');
    await sleep(5);
    const shutdownCancels = s.cancelPending || s.cancelRunning;
    for (const t of tracked) {
      const v = judge(t, shutdownCancels);
      if (v) violations.add(v);
    }
    const st = ex.stats();
    const count = (state: string) => tracked.filter((t) => t.future.state === state).length;
    const mine = { completed: count('fulfilled'), failed: count('rejected'), cancelled: count('cancelled') };
    const theirs = { completed: st.completed, failed: st.failed, cancelled: st.cancelled };
    // map's chunks are tasks too, but their Futures are not visible here: with a map, stats() may count more.
    const addsUp =
      maps === 0
        ? JSON.stringify(mine) === JSON.stringify(theirs)
        : theirs.completed >= mine.completed && theirs.failed >= mine.failed && theirs.cancelled >= mine.cancelled;
    if (!addsUp) violations.add(`stats() ${JSON.stringify(theirs)} but the futures say ${JSON.stringify(mine)}`);
    const peak = counter?.peak() ?? 0;
    if (peak > maxWorkers) violations.add(`${peak} workers alive at once (as the runtime counts them) > maxWorkers ${maxWorkers}`);
    if (counter && counter.live() > 0) violations.add(`${counter.live()} workers still alive after shutdown() resolved`);
  } finally {
    clearInterval(poll);
    counter?.stop();
    await within(ex.shutdown({ cancelPending: true, cancelRunning: true }), 10_000);
    process.off('unhandledRejection', unhandled);
    process.off('warning', warned);
  }
  return [...violations];
}
