/**
 * The bench app's `bullmq` row: Offload over BullMQ beside raw BullMQ
 * (`queue.add` + a plain `Worker` with the same task) and BullMQ's sandboxed
 * processors (the task in a worker thread, as Offload runs it) on a
 * redis-server of its own, with 1, 2 and 4 worker processes of one slot each, and the seed's
 * is_prime list end to end beside the node-worker backend, in the same run.
 * The app (apps/bench/src/runtimes.ts) imports this file through tsx after a
 * build; everything it starts is stopped when the row ends, whatever happens.
 * @module
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createExecutor as createLocal } from '@offload/node-worker';
import { Queue, QueueEvents } from 'bullmq';
import type { Entry, Measured, Result, SampleOptions } from '../../bench/dist/index.js';
import { createExecutor } from '../dist/index.js';
import { REDIS_SERVER, redisMissing, startRawWorkerProcess, startRedis, startWorkerProcess, stopChild } from '../support/local-cluster.js';

type Mode = 'full' | 'quick' | 'smoke';

/** Sizes of the row per mode. */
export interface RowSizes {
  /** Worker process counts (one slot each). */
  counts: number[];
  /** Round trips per one-at-a-time sample. */
  pingpong: number;
  /** Tasks per burst sample. */
  burst: number;
  overhead: SampleOptions;
  primes: SampleOptions;
  /** Expected seconds of the whole row on a busy 2-core machine (for the progress bar). */
  seconds: number;
}

/** Sizes per mode: about 60 s with --quick, 100 s in a full run on a busy 2-core machine. */
export const ROW_SIZES: Record<Mode, RowSizes> = {
  full: { counts: [1, 2, 4], pingpong: 100, burst: 2_000, overhead: { warmup: 1, samples: 5 }, primes: { warmup: 1, samples: 5 }, seconds: 100 },
  quick: { counts: [1, 2, 4], pingpong: 50, burst: 1_000, overhead: { warmup: 1, samples: 3 }, primes: { warmup: 1, samples: 3 }, seconds: 60 },
  smoke: { counts: [1, 2], pingpong: 5, burst: 50, overhead: { warmup: 0, samples: 1 }, primes: { warmup: 0, samples: 1 }, seconds: 15 },
};

/** What the app passes. */
export interface RowConfig {
  mode: Mode;
  /** Parts to run: `pingpong` (one task at a time), `burst`, `scaling` (is_prime end to end). */
  scenarios: string[];
  /** A sample with no result within this many ms ends its entry. */
  timeoutMs: number;
  tick?: () => void;
}

const BENCH_DIST = new URL('../../bench/dist/', import.meta.url);
const TASKS = new URL('tasks.js', BENCH_DIST);

/** Why the row cannot run here (no redis-server, a package not built), or undefined when it can. */
export function unavailable(): string | undefined {
  const missing = [new URL('../dist/cli.js', import.meta.url), new URL('harness.js', BENCH_DIST), TASKS].filter((u) => !existsSync(fileURLToPath(u)));
  if (missing.length) return `not built (${missing.map((u) => fileURLToPath(u)).join(', ')} missing); run pnpm build`;
  return redisMissing();
}

/** Samples the row takes (for the progress bar). */
export function plannedRuns(cfg: RowConfig): number {
  const s = ROW_SIZES[cfg.mode];
  const rounds = (o: SampleOptions) => o.warmup + o.samples;
  const perCount = (cfg.scenarios.includes('pingpong') ? 3 : 0) + (cfg.scenarios.includes('burst') ? 3 : 0);
  const primes = cfg.scenarios.includes('scaling') ? (2 + s.counts.length) * rounds(s.primes) : 0;
  return s.counts.length * perCount * rounds(s.overhead) + primes;
}

/** The raw baseline's caller: `queue.add` with a job id, the result read from BullMQ's event stream (as Offload's caller reads it). */
class RawCaller {
  readonly queue: Queue;
  readonly events: QueueEvents;
  readonly #waiting = new Map<string, (v: unknown) => void>();
  #next = 0;

  constructor(url: string, name: string) {
    this.queue = new Queue(name, { connection: { url } });
    this.events = new QueueEvents(name, { connection: { url }, lastEventId: '0-0' });
    this.events.on('completed', ({ jobId, returnvalue }) => {
      const done = this.#waiting.get(jobId);
      this.#waiting.delete(jobId);
      done?.(returnvalue);
    });
  }

  ready(): Promise<unknown> {
    return Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]);
  }

  run(x: number): Promise<unknown> {
    const jobId = `r${this.#next++}`;
    return new Promise((resolve, reject) => {
      this.#waiting.set(jobId, resolve);
      this.queue.add('add', { x }, { jobId, removeOnComplete: true }).catch(reject);
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }
}

/** The interleave function of the bench suite (packages/bench/dist/harness.js). */
type Interleave = <K>(entries: Entry<K>[], opts: SampleOptions, onRun?: () => void) => Promise<Measured<K>[]>;

const now = () => performance.now();

/** µs per round trip of `n` tasks run one after the other. */
async function oneAtATime(run: (x: number) => PromiseLike<unknown>, n: number): Promise<number> {
  const t = now();
  for (let i = 0; i < n; i++) if ((await run(i)) !== i + 1) throw new Error(`add(${i}) gave a wrong result`);
  return ((now() - t) * 1000) / n;
}

/** Tasks/s of `n` tasks submitted at once. */
async function burst(run: (x: number) => PromiseLike<unknown>, n: number): Promise<number> {
  const t = now();
  const out = await Promise.all(Array.from({ length: n }, (_, i) => run(i)));
  const ms = now() - t;
  if (out.some((v, i) => v !== i + 1)) throw new Error('a burst task gave a wrong result');
  return (n * 1000) / ms;
}

interface Key {
  backend: 'bullmq' | 'raw-bullmq' | 'bullmq-sandboxed' | 'main-thread' | 'node-worker';
  scenario: 'queue-pingpong' | 'queue-burst' | 'queue-scaling';
  workers: number;
}

const processes = (n: number) => `${n} worker process${n > 1 ? 'es' : ''} of one slot each`;

/** Run the row; resolves with its result rows (runtime `bullmq`). Starts and stops its own redis-server and worker processes. */
export async function runRow(cfg: RowConfig): Promise<Result[]> {
  const s = ROW_SIZES[cfg.mode];
  const { interleave } = (await import(new URL('harness.js', BENCH_DIST).href)) as { interleave: Interleave };
  const { isPrime, PRIME_CANDIDATES } = (await import(new URL('workloads.js', BENCH_DIST).href)) as {
    isPrime: (n: number) => boolean;
    PRIME_CANDIDATES: number[];
  };
  const sampling = (o: SampleOptions) => ({ ...o, timeoutMs: cfg.timeoutMs });
  const tasks = fileURLToPath(TASKS);
  const rows: Result[] = [];
  const children: ChildProcess[] = [];
  const spawned = (c: ChildProcess) => void children.push(c);
  const toRow = (m: Measured<Key>, extra: Partial<Result>): Result => ({
    runtime: 'bullmq',
    scenario: m.key.scenario,
    backend: m.key.backend,
    kind: m.key.backend === 'raw-bullmq' ? 'raw' : m.key.backend === 'bullmq-sandboxed' ? 'peer' : m.key.backend === 'main-thread' ? 'baseline' : 'offload',
    isolation: m.key.backend === 'node-worker' || m.key.backend === 'bullmq-sandboxed' ? 'thread' : m.key.backend === 'main-thread' ? 'none' : 'process',
    workload: 'add',
    workers: m.key.workers,
    n: 0,
    unit: 'ms',
    better: 'lower',
    samples: m.samples,
    median: m.median,
    min: m.min,
    max: m.max,
    error: m.error,
    ...extra,
  });
  const redis = await startRedis();
  const url = redis.url;
  try {
    // 1. Overhead: one task at a time, and a burst, with 1, 2, 4 worker processes on each side.
    const pingpong = cfg.scenarios.includes('pingpong');
    const bursts = cfg.scenarios.includes('burst');
    if (pingpong || bursts) {
      const raw = new RawCaller(url, 'raw');
      const sandboxed = new RawCaller(url, 'raw-sandboxed');
      const ex = createExecutor(TASKS, { connection: url, queue: 'offload' });
      let started = 0;
      try {
        await Promise.all([raw.ready(), sandboxed.ready()]);
        for (const count of s.counts) {
          const starting: Promise<void>[] = [];
          for (; started < count; started++)
            starting.push(
              startRawWorkerProcess({ url, queue: 'raw' }).then(spawned),
              startRawWorkerProcess({ url, queue: 'raw-sandboxed', sandboxed: true }).then(spawned),
              startWorkerProcess({ url, queue: 'offload', module: tasks, concurrency: 1 }).then(spawned),
            );
          await Promise.all(starting);
          const runs = {
            'raw-bullmq': (x: number) => raw.run(x),
            'bullmq-sandboxed': (x: number) => sandboxed.run(x),
            bullmq: (x: number) => ex.submit('add', [x]),
          } as const;
          const entries: Entry<Key>[] = [];
          for (const [backend, run] of Object.entries(runs) as [keyof typeof runs, (x: number) => PromiseLike<unknown>][]) {
            if (pingpong) entries.push({ key: { backend, scenario: 'queue-pingpong', workers: count }, run: () => oneAtATime(run, s.pingpong) });
            if (bursts) entries.push({ key: { backend, scenario: 'queue-burst', workers: count }, run: () => burst(run, s.burst) });
          }
          for (const m of await interleave(entries, sampling(s.overhead), cfg.tick)) {
            const isBurst = m.key.scenario === 'queue-burst';
            rows.push(
              toRow(m, {
                n: isBurst ? s.burst : s.pingpong,
                unit: isBurst ? 'tasks/s' : 'us',
                better: isBurst ? 'higher' : 'lower',
                note: isBurst ? `${s.burst} add tasks at once, ${processes(count)}` : `add tasks one at a time (µs per round trip), ${processes(count)}`,
              }),
            );
          }
        }
      } finally {
        await Promise.allSettled([raw.close(), sandboxed.close(), ex.shutdown()]);
        await Promise.allSettled(children.splice(0).map((c) => stopChild(c)));
      }
    }

    // 2. is_prime end to end: the main thread, node-worker with 2 warm threads, BullMQ with 1, 2, 4 worker processes (a queue each).
    if (cfg.scenarios.includes('scaling')) {
      const expected = JSON.stringify(PRIME_CANDIDATES.map(isPrime));
      const check = (out: unknown[]) => {
        if (JSON.stringify(out) !== expected) throw new Error('wrong is_prime results');
      };
      await Promise.all(
        s.counts.flatMap((count) =>
          Array.from({ length: count }, () => startWorkerProcess({ url, queue: `primes-${count}`, module: tasks, concurrency: 1 }).then(spawned)),
        ),
      );
      const local = createLocal(TASKS, { maxWorkers: 2, minWorkers: 2, idleTimeout: Number.POSITIVE_INFINITY });
      const remote = s.counts.map((count) => ({ count, ex: createExecutor(TASKS, { connection: url, queue: `primes-${count}` }) }));
      try {
        const timed = async (run: (n: number) => PromiseLike<unknown>) => {
          const t = now();
          const out = await Promise.all(PRIME_CANDIDATES.map((n) => run(n)));
          const ms = now() - t;
          check(out);
          return ms;
        };
        const entries: Entry<Key>[] = [
          {
            key: { backend: 'main-thread', scenario: 'queue-scaling', workers: 1 },
            run: async () => {
              const t = now();
              const out = PRIME_CANDIDATES.map(isPrime);
              const ms = now() - t;
              check(out);
              return ms;
            },
          },
          { key: { backend: 'node-worker', scenario: 'queue-scaling', workers: 2 }, run: () => timed((n) => local.submit('isPrime', [n])) },
          ...remote.map(({ count, ex }) => ({
            key: { backend: 'bullmq' as const, scenario: 'queue-scaling' as const, workers: count },
            run: () => timed((n) => ex.submit('isPrime', [n])),
          })),
        ];
        const measured = await interleave(entries, sampling(s.primes), cfg.tick);
        const seq = measured.find((m) => m.key.backend === 'main-thread');
        for (const m of measured) {
          const speedup = seq && Number.isFinite(seq.median) && Number.isFinite(m.median) && m.median > 0 ? seq.median / m.median : undefined;
          const note = m.key.backend === 'bullmq' ? `${processes(m.key.workers)}, warm` : m.key.backend === 'node-worker' ? '2 warm worker threads' : undefined;
          rows.push(toRow(m, { workload: 'is_prime', n: PRIME_CANDIDATES.length, speedup, note }));
        }
      } finally {
        await Promise.allSettled([local.shutdown(), ...remote.map(({ ex }) => ex.shutdown())]);
      }
    }
  } finally {
    await Promise.allSettled(children.map((c) => stopChild(c)));
    await redis.stop();
  }
  return rows;
}

/** The version of BullMQ the row ran with, and redis-server's. */
export function versions(): string {
  const bullmq = (JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('bullmq/package.json')), 'utf8')) as { version: string }).version;
  const redis = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' }).stdout?.match(/v=(\S+)/)?.[1] ?? 'unknown';
  return `${bullmq} (redis-server ${redis})`;
}
