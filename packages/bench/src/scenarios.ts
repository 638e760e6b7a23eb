/**
 * The scenarios of the suite, as a plan of steps a runner executes (with a
 * progress display on Node, progress lines elsewhere). Runtime-neutral: the
 * runtime-specific parts are the adapters and the memory probe.
 * @module
 */
import type { Adapter, Pool } from './adapter.js';
import type { FlagSource } from './flags.js';
import { createPools, guardAdapter } from './guard.js';
import { collectGarbage, type Entry, HUNG, interleave, now, type SampleOptions } from './harness.js';
import { type HeadOfLineSizes, headOfLineStep } from './head-of-line.js';
import { type IoSizes, ioStep } from './io.js';
import { memoryStep } from './memory.js';
import { driftLagProbe, type LagProbe, type MixedSizes, mixedStep } from './mixed.js';
import type { Result, Scenario } from './results.js';
import { scalingSteps } from './scaling.js';
import { summaryFields } from './stats.js';
import type { Workload } from './workloads.js';

/** Sizes and sampling of a run. */
export interface Sizes {
  /** Trivial tasks per burst sample (20,000 in the issue). */
  burst: number;
  /** Sequential round trips per ping-pong sample. */
  pingpong: number;
  /** Items of the chunked map (1,000,000 in the issue). */
  map: number;
  /** Items of the unchunked map (a rate; extrapolates to the full count). */
  mapUnchunked: number;
  /** chunkSize of the chunked map. */
  chunkSize: number;
  /** Items of the stream scenario (one generator task of small items). */
  stream: number;
  /** Items of 16 KB of the slow-consumer stream (memory must stay flat). */
  streamMemory: number;
  scaling: SampleOptions;
  /** Sampling of the is_prime scaling rows, which feed a target (at least `scaling`). */
  scalingTarget: SampleOptions;
  throughput: SampleOptions;
  cold: SampleOptions;
  memory: SampleOptions;
  /** The head-of-line scenario: always 2 workers. */
  headOfLine: HeadOfLineSizes;
  /** Worker counts of the warm-pool scaling rows: every count, or only the most (N) to keep a quick run short. */
  warmCounts: 'all' | 'most';
  /** A sample with no result within this many ms ends its row as hung (the backend is not retried in later steps). */
  timeoutMs: number;
  /** The io scenario: the flags download. */
  io: IoSizes;
  /** The mixed scenario: a loop answering I/O and CPU requests. */
  mixed: MixedSizes;
}

/** Sizes per mode. */
export const SIZES: Record<'full' | 'quick' | 'smoke', Sizes> = {
  full: {
    burst: 20_000,
    pingpong: 5_000,
    map: 1_000_000,
    mapUnchunked: 20_000,
    chunkSize: 1_000,
    // Long enough (100-150 ms for the fastest raw floor) that a sample is not decided by one
    // time slice of the 2 cores going to another process.
    stream: 2_000_000,
    streamMemory: 8_000,
    // Workloads other than is_prime: 3 samples, no warm-up (each cold sample starts its own
    // pool, each warm one reuses a pool that ran once), so that the full run stays near 20 min.
    scaling: { warmup: 0, samples: 3 },
    scalingTarget: { warmup: 1, samples: 5 },
    throughput: { warmup: 2, samples: 7 },
    cold: { warmup: 1, samples: 7 },
    memory: { warmup: 0, samples: 3 },
    headOfLine: { workers: 2, warm: 5_000, sameName: 10_000, longMs: 1_000, shorts: 200, shortMs: 1, sampling: { warmup: 0, samples: 3 } },
    timeoutMs: 60_000,
    warmCounts: 'all',
    io: { flags: 20, latencyMs: 100, limit: 20, sampling: { warmup: 1, samples: 5 } },
    mixed: { durationMs: 4_000, ioEveryMs: 10, cpuEveryMs: 500, cpuMs: 200, workers: 1, sampling: { warmup: 0, samples: 3 } },
  },
  quick: {
    burst: 10_000,
    pingpong: 2_000,
    map: 1_000_000,
    mapUnchunked: 10_000,
    chunkSize: 1_000,
    stream: 500_000,
    streamMemory: 4_000,
    scaling: { warmup: 0, samples: 1 },
    scalingTarget: { warmup: 0, samples: 3 },
    throughput: { warmup: 1, samples: 3 },
    cold: { warmup: 1, samples: 3 },
    memory: { warmup: 0, samples: 3 },
    headOfLine: { workers: 2, warm: 1_000, sameName: 2_000, longMs: 300, shorts: 100, shortMs: 1, sampling: { warmup: 0, samples: 1 } },
    timeoutMs: 30_000,
    warmCounts: 'most',
    io: { flags: 20, latencyMs: 50, limit: 20, sampling: { warmup: 1, samples: 5 } },
    mixed: { durationMs: 3_000, ioEveryMs: 10, cpuEveryMs: 500, cpuMs: 200, workers: 1, sampling: { warmup: 0, samples: 1 } },
  },
  smoke: {
    burst: 500,
    pingpong: 100,
    map: 5_000,
    mapUnchunked: 500,
    chunkSize: 100,
    stream: 2_000,
    streamMemory: 200,
    scaling: { warmup: 0, samples: 1 },
    scalingTarget: { warmup: 0, samples: 1 },
    throughput: { warmup: 0, samples: 1 },
    cold: { warmup: 0, samples: 1 },
    memory: { warmup: 0, samples: 1 },
    headOfLine: { workers: 2, warm: 50, sameName: 100, longMs: 30, shorts: 10, shortMs: 1, sampling: { warmup: 0, samples: 1 } },
    timeoutMs: 10_000,
    warmCounts: 'most',
    io: { flags: 20, latencyMs: 5, limit: 20, sampling: { warmup: 0, samples: 1 } },
    mixed: { durationMs: 300, ioEveryMs: 20, cpuEveryMs: 100, cpuMs: 20, workers: 1, sampling: { warmup: 0, samples: 1 } },
  },
};

/** Worker counts of the scaling table: 1..N, or powers of two up to N (and N) on bigger machines. */
export function workerCounts(n: number): number[] {
  if (n <= 4) return Array.from({ length: n }, (_, i) => i + 1);
  const out: number[] = [];
  for (let w = 1; w < n; w *= 2) out.push(w);
  out.push(n);
  return out;
}

/** Everything a plan needs. */
export interface BenchConfig {
  runtime: string;
  sizes: Sizes;
  workloads: Workload[];
  /** Adapters of the scaling table (Offload backends, the raw floor, peers in full mode). */
  scaling: Adapter[];
  /** Adapters of burst, ping-pong, cold start and memory. */
  adapters: Adapter[];
  /** Worker counts of the scaling table (1..N). */
  workerCounts: number[];
  /** Workers of burst, map and memory (N). */
  maxWorkers: number;
  scenarios: Scenario[];
  /** Bytes used by this process and its child processes (omit where unknown: no memory scenario). */
  memory?: () => number;
  /** Called after each sample, for progress. */
  tick?: () => void;
  /** The loopback flags server of the io and mixed scenarios (without it they are skipped). */
  io?: FlagSource;
  /** The event-loop lag probe of the mixed scenario (default: a setTimeout-drift sampler). */
  lag?: LagProbe;
}

/** One unit of work of a run. `runs` is how many samples it takes (for progress). */
export interface Step {
  label: string;
  /** What the step measures, for time estimates: the scenario, `scaling:<workload>` for a scaling step, `runtime:<name>` for a whole runtime (unknown kinds get a default estimate). */
  kind?: string;
  runs: number;
  /** Expected seconds, where the step knows them (a whole runtime: the sum of its plan's). */
  seconds?: number;
  run(): Promise<Result[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** The identifying fields of a result row. */
export function base(cfg: BenchConfig, a: Adapter | undefined, scenario: Scenario, workload: string, workers: number, n: number) {
  return {
    runtime: cfg.runtime,
    scenario,
    backend: a?.name ?? 'main-thread',
    kind: a?.kind ?? ('baseline' as const),
    isolation: a?.isolation ?? ('none' as const),
    workload,
    workers,
    n,
  };
}

async function withPools<T>(adapters: Adapter[], workers: number, pipelined: boolean, fn: (pools: Pool[]) => Promise<T>): Promise<T> {
  const pools = await createPools(adapters, workers, pipelined);
  try {
    return await fn(pools);
  } finally {
    await Promise.allSettled(pools.map((p) => p.close()));
  }
}

/**
 * Build the plan of a run. Every adapter is bounded (see guard.ts): a sample
 * with no result within `sizes.timeoutMs` ends its row as hung, and a backend
 * that hung is not retried by later steps (its rows say why at once).
 */
export function planSteps(plan: BenchConfig): Step[] {
  const hung = new Map<string, string>();
  const guard = (a: Adapter) => guardAdapter(a, hung, plan.sizes.timeoutMs);
  const cfg: BenchConfig = { ...plan, adapters: plan.adapters.map(guard), scaling: plan.scaling.map(guard) };
  const steps: Step[] = [];
  const s = { ...cfg.sizes };
  for (const k of ['scaling', 'scalingTarget', 'throughput', 'cold', 'memory'] as const) s[k] = { ...s[k], timeoutMs: s.timeoutMs };
  s.headOfLine = { ...s.headOfLine, sampling: { ...s.headOfLine.sampling, timeoutMs: s.timeoutMs } };
  s.io = { ...s.io, sampling: { ...s.io.sampling, timeoutMs: s.timeoutMs } };
  s.mixed = { ...s.mixed, sampling: { ...s.mixed.sampling, timeoutMs: s.timeoutMs } };
  cfg.sizes = s;
  const has = (x: Scenario) => cfg.scenarios.includes(x);
  const N = cfg.maxWorkers;
  const tick = () => cfg.tick?.();
  const rounds = (o: SampleOptions) => o.warmup + o.samples;

  if (has('scaling')) steps.push(...scalingSteps(cfg));

  if (has('burst')) {
    steps.push({
      label: `${cfg.runtime} burst ${s.burst} trivial tasks`,
      kind: 'burst',
      runs: cfg.adapters.length * rounds(s.throughput),
      run: () =>
        withPools(cfg.adapters, N, true, async (pools) => {
          const entries = pools.map((pool, i) => ({
            key: cfg.adapters[i],
            run: async () => {
              const t = now();
              const ps: Promise<unknown>[] = new Array(s.burst);
              for (let k = 0; k < s.burst; k++) ps[k] = pool.run('add', k);
              const out = await Promise.all(ps);
              const ms = now() - t;
              if (out[s.burst - 1] !== s.burst) throw new Error('wrong result');
              return s.burst / (ms / 1000);
            },
          }));
          const measured = await interleave(entries, s.throughput, tick);
          return measured.map((m) => ({
            ...base(cfg, m.key, 'burst', 'add', N, s.burst),
            unit: 'tasks/s' as const,
            better: 'higher' as const,
            ...summaryFields(m),
            error: m.error,
            note: 'all tasks submitted at once to a warm pool',
          }));
        }),
    });
  }

  if (has('pingpong')) {
    steps.push({
      label: `${cfg.runtime} ping-pong`,
      kind: 'pingpong',
      runs: cfg.adapters.length * rounds(s.throughput),
      run: () =>
        withPools(cfg.adapters, 1, true, async (pools) => {
          const entries = pools.map((pool, i) => ({
            key: cfg.adapters[i],
            run: async () => {
              const t = now();
              let x = 0;
              for (let k = 0; k < s.pingpong; k++) x = (await pool.run('add', x)) as number;
              const ms = now() - t;
              if (x !== s.pingpong) throw new Error('wrong result');
              return (ms * 1000) / s.pingpong;
            },
          }));
          const measured = await interleave(entries, s.throughput, tick);
          return measured.map((m) => ({
            ...base(cfg, m.key, 'pingpong', 'add', 1, s.pingpong),
            unit: 'us' as const,
            better: 'lower' as const,
            ...summaryFields(m),
            error: m.error,
            note: 'one task at a time, round trip on a warm worker',
          }));
        }),
    });
  }

  if (has('cold-start')) {
    steps.push({
      label: `${cfg.runtime} time to first result`,
      kind: 'cold-start',
      runs: cfg.adapters.length * rounds(s.cold),
      async run() {
        const entries = cfg.adapters.map((a) => ({
          key: a,
          run: async () => {
            const t = now();
            const pool = await a.create(1, { pipelined: true });
            try {
              const v = await pool.run('add', 1);
              const ms = now() - t;
              if (v !== 2) throw new Error('wrong result');
              return ms;
            } finally {
              await pool.close();
            }
          },
        }));
        const measured = await interleave(entries, s.cold, tick);
        return measured.map((m) => ({
          ...base(cfg, m.key, 'cold-start', 'add', 1, 1),
          unit: 'ms' as const,
          better: 'lower' as const,
          ...summaryFields(m),
          error: m.error,
          note: 'create the pool, first result of one trivial task',
        }));
      },
    });
  }

  const mappers = cfg.adapters.filter((a) => a.kind === 'offload');
  if (has('map') && mappers.length > 0) {
    steps.push({
      label: `${cfg.runtime} map ${s.map} items`,
      kind: 'map',
      runs: mappers.length * 2 * rounds(s.throughput),
      run: () =>
        withPools(mappers, N, true, async (pools) => {
          const entries: Entry<{ a: Adapter; chunked: boolean }>[] = [];
          pools.forEach((pool, i) => {
            for (const chunked of [true, false]) {
              const n = chunked ? s.map : s.mapUnchunked;
              entries.push({
                key: { a: mappers[i], chunked },
                run: async () => {
                  const t = now();
                  const got = await pool.map?.('add', range(n), chunked ? s.chunkSize : 1);
                  const ms = now() - t;
                  if (got !== n) throw new Error(`map returned ${got} of ${n} items`);
                  return n / (ms / 1000);
                },
              });
            }
          });
          const measured = await interleave(entries, s.throughput, tick);
          return measured.map((m) => ({
            ...base(cfg, m.key.a, m.key.chunked ? 'map' : 'map-unchunked', 'add', N, m.key.chunked ? s.map : s.mapUnchunked),
            unit: 'items/s' as const,
            better: 'higher' as const,
            ...summaryFields(m),
            error: m.error,
            note: m.key.chunked ? `chunkSize ${s.chunkSize}` : `chunkSize 1 (a rate over ${s.mapUnchunked} items)`,
          }));
        }),
    });
  }

  if (has('head-of-line')) steps.push(headOfLineStep(cfg));
  const streamers = cfg.adapters.filter((a) => a.kind === 'offload' || a.kind === 'raw');
  if (has('stream') && streamers.length > 0) {
    steps.push({
      label: `${cfg.runtime} stream of ${s.stream} items`,
      kind: 'stream',
      runs: streamers.length * rounds(s.throughput),
      run: () =>
        withPools(streamers, 1, true, async (pools) => {
          const entries = pools.map((pool, i) => ({
            key: streamers[i] as Adapter,
            run: async () => {
              collectGarbage();
              const t = now();
              const got = await pool.stream?.('countTo', s.stream);
              const ms = now() - t;
              if (got !== s.stream) throw new Error(`the stream gave ${got} of ${s.stream} items`);
              return s.stream / (ms / 1000);
            },
          }));
          // Reversed every other round: the raw floor, which has no backpressure, leaves the most
          // garbage behind, and would otherwise always leave it to the same entry.
          const measured = await interleave(entries, { ...s.throughput, alternate: true }, tick);
          return measured.map((m) => ({
            ...base(cfg, m.key, 'stream', 'countTo', 1, s.stream),
            unit: 'items/s' as const,
            better: 'higher' as const,
            ...summaryFields(m),
            error: m.error,
            note:
              m.key.kind === 'raw'
                ? 'a raw worker posting the items in batches of 256, no backpressure, iterated with for await over a hand-written async iterator'
                : 'executor.stream() of a generator task, highWaterMark 8192 (64 KB of small numbers)',
          }));
        }),
    });
  }

  const memory = cfg.memory;
  const streamOffload = cfg.adapters.filter((a) => a.kind === 'offload');
  if (has('stream') && memory && streamOffload.length > 0) {
    const n = s.streamMemory;
    const size = 16 * 1024;
    steps.push({
      label: `${cfg.runtime} stream of ${n} x 16 KB items to a slow consumer`,
      kind: 'stream-memory',
      runs: streamOffload.length * rounds(s.memory),
      run: () =>
        withPools(streamOffload, 1, true, async (pools) => {
          const entries = pools.map((pool, i) => ({
            key: streamOffload[i] as Adapter,
            run: async () => {
              let before = 0;
              let peak = 0;
              // The consumer waits 1 ms every 4 items: far slower than the generator, which would
              // otherwise have the whole stream (n x 16 KB) in flight. Memory is compared over the
              // second half, once the garbage of the first half is being collected at a steady rate.
              const got = await pool.stream?.(
                'blobs',
                { n, size },
                {
                  highWaterMark: 16,
                  onItem: async (k) => {
                    if (k % 4 !== 0) return;
                    if (k === n / 2) before = peak = memory();
                    else if (k > n / 2) peak = Math.max(peak, memory());
                    await sleep(1);
                  },
                },
              );
              if (got !== n) throw new Error(`the stream gave ${got} of ${n} items`);
              return ((peak - before) / before) * 100;
            },
          }));
          const measured = await interleave(entries, s.memory, tick);
          return measured.map((m) => ({
            ...base(cfg, m.key, 'stream-memory', 'blobs', 1, n),
            unit: '%' as const,
            better: 'lower' as const,
            ...summaryFields(m),
            error: m.error,
            note: `peak resident memory growth over the second half of ${n} x 16 KB items (${Math.round((n * size) / 2 ** 20)} MB) streamed to a slow consumer, highWaterMark 16`,
          }));
        }),
    });
  }

  if (has('io') && cfg.io) steps.push(ioStep(cfg, cfg.io));
  if (has('mixed') && cfg.io) steps.push(mixedStep(cfg, cfg.io, cfg.lag ?? driftLagProbe()));

  if (has('memory') && memory) steps.push(memoryStep(cfg, memory));
  return steps.map((step) => ({
    ...step,
    async run() {
      const rows = await step.run();
      for (const r of rows) if (r.error?.startsWith(HUNG) && !hung.has(r.backend)) hung.set(r.backend, r.error);
      return rows;
    },
  }));
}

/** Run a plan; a step that throws becomes an error note instead of ending the run. */
export async function runSteps(steps: Step[], onStep?: (s: Step) => void): Promise<{ results: Result[]; notes: string[] }> {
  const results: Result[] = [];
  const notes: string[] = [];
  for (const step of steps) {
    onStep?.(step);
    try {
      results.push(...(await step.run()));
    } catch (error) {
      notes.push(`${step.label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { results, notes };
}
