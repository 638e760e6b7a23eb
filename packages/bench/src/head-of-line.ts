/**
 * The head-of-line scenario (issue 9): on a warm 2-worker pool, one task that
 * spins for a long time, then many short ones. A pool that sends tasks ahead
 * to a worker and leaves them there while the other worker is idle makes the
 * short tasks wait for the long one. Runtime-neutral.
 * @module
 */
import type { Adapter, Pool } from './adapter.js';
import { type Entry, interleave, now, type SampleOptions } from './harness.js';
import type { Result } from './results.js';
import type { BenchConfig, Step } from './scenarios.js';
import { summarize, summaryFields } from './stats.js';

/** Sizes of the head-of-line scenario. */
export interface HeadOfLineSizes {
  /** Workers of the pool (2 in the issue). */
  workers: number;
  /** `add` tasks that warm the pool before `spin` (5,000 in the issue). */
  warm: number;
  /** Calls of `spinOrNot(0)` before its slow call (10,000 in the issue). */
  sameName: number;
  /** How long the long task spins (1,000 ms in the issue). */
  longMs: number;
  /** Short tasks submitted right after the long one (200 in the issue). */
  shorts: number;
  /** How long each short task spins (1 ms). */
  shortMs: number;
  sampling: SampleOptions;
}

/** One way of reaching the long task: what warms the pool and which task spins. */
export interface HeadOfLineVariant {
  /** The spinning task; also the `workload` of the results. */
  task: 'spin' | 'spinOrNot';
  /** What runs before the long task. */
  describe(h: HeadOfLineSizes): string;
}

/** The two variants of the issue. */
export const HEAD_OF_LINE_VARIANTS: HeadOfLineVariant[] = [
  { task: 'spin', describe: (h) => `${h.warm} add tasks warm the pool` },
  { task: 'spinOrNot', describe: (h) => `${h.sameName} calls of spinOrNot(0) come first` },
];

/** Milliseconds from the submission of the long task. */
export interface HeadOfLineTimes {
  /** When the last short task finished. */
  lastShort: number;
  /** When the long task finished. */
  long: number;
}

/**
 * One sample on a live pool: warm it (and wait), then submit the long task
 * and the short ones at once, and time each result from the long task's
 * submission. Throws on a wrong result.
 */
export async function headOfLineSample(pool: Pool, variant: HeadOfLineVariant, h: HeadOfLineSizes): Promise<HeadOfLineTimes> {
  const warm: Promise<unknown>[] = [];
  if (variant.task === 'spin') for (let k = 0; k < h.warm; k++) warm.push(pool.run('add', k));
  else for (let k = 0; k < h.sameName; k++) warm.push(pool.run(variant.task, 0));
  const warmed = await Promise.all(warm);
  if (warmed.length > 0 && warmed[warmed.length - 1] !== (variant.task === 'spin' ? h.warm : 0)) throw new Error('wrong result while warming');
  const t0 = now();
  const timed = (p: Promise<unknown>, expected: number) =>
    p.then((v) => {
      const ms = now() - t0;
      if (v !== expected) throw new Error(`wrong result: ${String(v)} instead of ${expected}`);
      return ms;
    });
  const long = timed(pool.run(variant.task, h.longMs), h.longMs);
  const shorts: Promise<number>[] = [];
  for (let k = 0; k < h.shorts; k++) shorts.push(timed(pool.run(variant.task, h.shortMs), h.shortMs));
  const [longMs, ends] = await Promise.all([long, Promise.all(shorts)]);
  return { lastShort: Math.max(...ends), long: longMs };
}

/**
 * The scenario's step: every adapter and variant interleaved, each sample on
 * a fresh pool (the variant's warm-up starts it; a pool's history must not
 * carry over between samples). Raw floors run as a fair queue (one task per
 * worker at a time), the ideal schedule at the lowest per-task cost. Two rows
 * per adapter and variant: `head-of-line` (the last short task) and
 * `head-of-line-long` (the long task).
 */
export function headOfLineStep(cfg: BenchConfig): Step {
  const h = cfg.sizes.headOfLine;
  const rounds = h.sampling.warmup + h.sampling.samples;
  return {
    label: `${cfg.runtime} head-of-line (${h.workers} workers)`,
    kind: 'head-of-line',
    runs: cfg.adapters.length * HEAD_OF_LINE_VARIANTS.length * rounds,
    async run() {
      const longs = new Map<object, number[]>();
      const entries: Entry<{ a: Adapter; v: HeadOfLineVariant }>[] = [];
      for (const v of HEAD_OF_LINE_VARIANTS) {
        for (const a of cfg.adapters) {
          const key = { a, v };
          const mine: number[] = [];
          longs.set(key, mine);
          entries.push({
            key,
            run: async () => {
              const pool = await a.create(h.workers, { pipelined: false });
              try {
                const t = await headOfLineSample(pool, v, h);
                mine.push(t.long);
                return t.lastShort;
              } finally {
                await pool.close();
              }
            },
          });
        }
      }
      const measured = await interleave(entries, h.sampling, () => cfg.tick?.());
      const out: Result[] = [];
      for (const m of measured) {
        const { a, v } = m.key;
        // A sample that fails ends its entry, so the long task's figures are those of rounds 0..k-1: drop the warm-up rounds.
        const long = summarize((longs.get(m.key) ?? []).slice(h.sampling.warmup));
        const row = {
          runtime: cfg.runtime,
          backend: a.name,
          kind: a.kind,
          isolation: a.isolation,
          workload: v.task,
          workers: h.workers,
          longMs: h.longMs,
          unit: 'ms' as const,
          better: 'lower' as const,
          error: m.error,
        };
        const what = `${v.describe(h)}; then ${v.task}(${h.longMs}) and ${h.shorts} x ${v.task}(${h.shortMs}) at once`;
        out.push({
          ...row,
          scenario: 'head-of-line',
          n: h.shorts,
          ...summaryFields(m),
          note: `${what}: ms from the long task's submission to the last short result`,
        });
        out.push({ ...row, scenario: 'head-of-line-long', n: 1, ...long, note: `${what}: ms from its submission to the long task's result` });
      }
      return out;
    },
  };
}
