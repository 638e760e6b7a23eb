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
  /** A run that gives no result within this many ms ends its entry with a {@link HUNG} error (no limit when omitted). */
  timeoutMs?: number;
  /**
   * Run the entries in reverse order every other round (A B, B A, A B...), so that no
   * entry always runs right after the same one and pays for what that one left behind
   * (garbage to collect, workers still exiting, a queue still draining).
   */
  alternate?: boolean;
}

/** How the error of an entry that hung begins (a run with no result within `timeoutMs`). */
export const HUNG = 'hung:';

/** An error whose message is already the line to report (no `Error: ` prefix added). */
export class ReportedError extends Error {
  override name = 'ReportedError';
}

/** Race `p` against a timer; on timeout reject with a {@link HUNG} error naming `what`. */
export function withTimeout<T>(p: Promise<T>, ms: number | undefined, what: string): Promise<T> {
  if (ms === undefined || !Number.isFinite(ms)) return p;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReportedError(`${HUNG} ${what} gave no result within ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
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
  if (error instanceof ReportedError) return error.message;
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

/**
 * A full garbage collection where the runtime offers one to scripts (Bun; Deno and
 * Node started with `--expose-gc`), else nothing: called before a sample, so that
 * it does not pay for the garbage of the sample before it.
 */
export function collectGarbage(): void {
  const g = globalThis as unknown as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
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
 * each round run the entries one after the other (A B C A B C ..., or A B C C B A
 * with `opts.alternate`). An entry
 * that throws, or gives no result within `opts.timeoutMs`, is dropped from
 * later rounds and reported with its error.
 */
export async function interleave<K>(entries: Entry<K>[], opts: SampleOptions, onRun?: () => void): Promise<Measured<K>[]> {
  const samples = new Map<Entry<K>, number[]>();
  const errors = new Map<Entry<K>, string>();
  for (const e of entries) samples.set(e, []);
  const reversed = [...entries].reverse();
  for (let round = 0; round < opts.warmup + opts.samples; round++) {
    for (const e of opts.alternate && round % 2 === 1 ? reversed : entries) {
      if (errors.has(e)) continue;
      try {
        const v = await withTimeout(e.run(), opts.timeoutMs, 'a sample');
        if (round >= opts.warmup) samples.get(e)?.push(v);
      } catch (error) {
        errors.set(e, describeError(error));
      }
      onRun?.();
    }
  }
  return entries.map((e) => ({ key: e.key, ...summarize(samples.get(e) ?? []), error: errors.get(e) }));
}
