/**
 * The idle-memory scenario: what one started, idle worker adds to the memory
 * of the program. Runtime-neutral (the probe is the runtime's).
 *
 * A single reading of a process's memory moves by megabytes on its own (the
 * main thread's garbage, allocator caches), as much as a worker adds, so one
 * difference can come out negative. Here every sample starts several workers
 * (at least {@link MEMORY_MIN_WORKERS}), reads memory as the median of
 * {@link PROBES} readings (each after a collection), and a control sample runs
 * the same sequence without a pool: its largest drift, per worker, is the noise
 * floor recorded beside the figure. A difference below zero (memory freed
 * meanwhile) counts as zero; a figure within the noise is flagged as such, and
 * the report prints no ratio of it.
 * @module
 */
import type { Adapter } from './adapter.js';
import { type Entry, interleave } from './harness.js';
import type { Result } from './results.js';
import type { BenchConfig, Step } from './scenarios.js';
import { median } from './stats.js';

/** Fewest workers a memory sample starts (more workers, more signal over the noise). */
export const MEMORY_MIN_WORKERS = 4;
/** Readings per memory probe (their median is the reading). */
export const PROBES = 3;

const MB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The median of {@link PROBES} readings of `memory`, 30 ms apart (bytes). */
export async function probeMemory(memory: () => number): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < PROBES; i++) {
    if (i > 0) await sleep(30);
    readings.push(memory());
  }
  return median(readings);
}

/** Per-worker figure of a sample and the noise floor: never negative; within noise when it does not exceed the floor. */
export function memoryFigure(deltas: number[], controlDrifts: number[]): { samples: number[]; noise: number; withinNoise: boolean } {
  const samples = deltas.map((d) => Math.max(0, d));
  const noise = controlDrifts.length ? Math.max(...controlDrifts.map(Math.abs)) : 0;
  return { samples, noise, withinNoise: median(samples) <= noise };
}

/** The idle-memory step: every adapter with `max(N, 4)` workers, interleaved with a control sample without a pool. */
export function memoryStep(cfg: BenchConfig, memory: () => number): Step {
  const s = cfg.sizes;
  const workers = Math.max(cfg.maxWorkers, MEMORY_MIN_WORKERS);
  const rounds = s.memory.warmup + s.memory.samples;
  const sample = async (a: Adapter | undefined): Promise<number> => {
    await sleep(100);
    const before = await probeMemory(memory);
    const pool = a ? await a.create(workers, { pipelined: false }) : undefined;
    try {
      // Each worker runs tasks once (so it has loaded the task module), then idles.
      if (pool) await Promise.all(Array.from({ length: 2 * workers }, () => pool.run('fib', 22)));
      else await sleep(50);
      await sleep(300);
      return (await probeMemory(memory)) - before;
    } finally {
      await pool?.close();
    }
  };
  return {
    label: `${cfg.runtime} idle memory per worker (${workers} workers)`,
    kind: 'memory',
    runs: (cfg.adapters.length + 1) * rounds,
    async run() {
      const entries: Entry<Adapter | undefined>[] = [
        { key: undefined, run: () => sample(undefined) },
        ...cfg.adapters.map((a) => ({ key: a, run: () => sample(a) })),
      ];
      const measured = await interleave(entries, s.memory, () => cfg.tick?.());
      const drifts = measured[0].samples.map((b) => b / workers / MB);
      const out: Result[] = [];
      for (const m of measured.slice(1)) {
        const a = m.key as Adapter;
        const f = memoryFigure(
          m.samples.map((b) => b / workers / MB),
          drifts,
        );
        const figure = f.samples.length
          ? { median: median(f.samples), min: Math.min(...f.samples), max: Math.max(...f.samples) }
          : { median: Number.NaN, min: Number.NaN, max: Number.NaN };
        out.push({
          runtime: cfg.runtime,
          scenario: 'memory',
          backend: a.name,
          kind: a.kind,
          isolation: a.isolation,
          workload: 'idle',
          workers,
          n: workers,
          unit: 'MB',
          better: 'lower',
          samples: f.samples,
          ...figure,
          noise: f.noise,
          withinNoise: f.samples.length ? f.withinNoise : undefined,
          error: m.error,
          note: `memory added per started, idle worker (${workers} workers; the median of ${PROBES} readings before and after; a drop counts as 0; noise: the largest drift of a control sample without a pool)`,
        });
      }
      return out;
    },
  };
}
