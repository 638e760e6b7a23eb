/**
 * Sampling: warm-up, repeated samples, entries interleaved A B A B so that
 * ratios survive a noisy machine. Runtime-neutral.
 * @module
 */
import { type Summary, summarize } from './stats.js';

/** How many runs to throw away and how many to keep. */
export interface SampleOptions {
  warmup: number;
  samples: number;
}

/** One thing to measure: `run` returns the measured value of one run (ms, rate...). */
export interface Entry<K = string> {
  key: K;
  run: () => Promise<number>;
}

/** Outcome of one entry: its summary, or the error that stopped it. */
export type Measured<K = string> = { key: K; error?: string } & Summary;

/** One line for an error, whatever was thrown (some pools reject with plain objects). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    if (typeof message === 'string') return `${typeof name === 'string' ? name : 'Error'}: ${message}`;
    try {
      return JSON.stringify(error).slice(0, 300);
    } catch {}
  }
  return String(error);
}

/** Milliseconds since an origin, high resolution on every runtime. */
export const now = (): number => performance.now();

/** Time one async call in ms. */
export async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = now();
  await fn();
  return now() - t;
}

/**
 * Run every entry `warmup` rounds (discarded), then `samples` rounds, and in
 * each round run the entries one after the other (A B C A B C ...). An entry
 * that throws is dropped from later rounds and reported with its error.
 */
export async function interleave<K>(entries: Entry<K>[], opts: SampleOptions, onRun?: () => void): Promise<Measured<K>[]> {
  const samples = new Map<Entry<K>, number[]>();
  const errors = new Map<Entry<K>, string>();
  for (const e of entries) samples.set(e, []);
  for (let round = 0; round < opts.warmup + opts.samples; round++) {
    for (const e of entries) {
      if (errors.has(e)) continue;
      try {
        const v = await e.run();
        if (round >= opts.warmup) samples.get(e)?.push(v);
      } catch (error) {
        errors.set(e, describeError(error));
      }
      onRun?.();
    }
  }
  return entries.map((e) => ({ key: e.key, ...summarize(samples.get(e) ?? []), error: errors.get(e) }));
}
