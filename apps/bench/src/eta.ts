/**
 * The progress bar's time estimate: a table of how long one sample of each kind
 * of step takes (measured on a busy 2-core machine), refined as steps finish by
 * the ratio of the time they took to the time the table expected. Counting
 * samples alone made the estimate jump: a scaling sample of is_prime takes
 * seconds, a burst sample a fraction of one.
 * @module
 */

/** Seconds per sample, by step kind (`scaling:<workload>`, a scenario, or `runtime:<name>` for a whole runtime). */
export const SAMPLE_SECONDS: Record<'full' | 'quick' | 'smoke', Record<string, number>> = {
  full: {
    'scaling:is_prime': 1.6,
    'scaling:fib': 0.8,
    'scaling:pow': 2,
    'scaling:rc4': 0.6,
    'scaling:sha256': 0.7,
    burst: 0.5,
    pingpong: 0.6,
    'cold-start': 0.15,
    map: 1.2,
    'head-of-line': 3,
    stream: 1.5,
    'stream-memory': 12,
    memory: 1.5,
    // One approach's download of 20 flags at 100 ms: 2 s sequential, 1 s on 2 workers, 0.1 s for the rest.
    io: 0.9,
    // One run of the loop (4 s) plus starting its worker.
    mixed: 4.4,
  },
  quick: {
    'scaling:is_prime': 1.6,
    'scaling:fib': 0.8,
    'scaling:pow': 2,
    'scaling:rc4': 0.6,
    'scaling:sha256': 0.7,
    burst: 0.3,
    pingpong: 0.3,
    'cold-start': 0.15,
    map: 1,
    'head-of-line': 1.2,
    stream: 0.7,
    'stream-memory': 6,
    memory: 1.5,
    // As in a full run, at 50 ms per flag.
    io: 0.5,
    // One run of the loop (3 s) plus starting its worker.
    mixed: 3.4,
  },
  smoke: {},
};

/** Seconds per sample of a kind the table does not know. */
const DEFAULT_SAMPLE_SECONDS = 0.5;

/** What the estimate needs of a step. */
export interface Planned {
  kind?: string;
  runs: number;
  /** Expected seconds, when the step knows better than the table (a whole runtime: the sum of its plan). */
  seconds?: number;
}

/** Expected seconds of one step. */
export function expectedSeconds(step: Planned, mode: 'full' | 'quick' | 'smoke'): number {
  if (step.seconds !== undefined) return step.seconds;
  const table = SAMPLE_SECONDS[mode];
  const kind = step.kind ?? '';
  const perSample = table[kind] ?? (kind.startsWith('scaling:') ? table['scaling:fib'] : undefined) ?? DEFAULT_SAMPLE_SECONDS;
  return step.runs * (mode === 'smoke' ? 0.05 : perSample);
}

/**
 * Remaining time of a run: the expected time of the steps left (and of the
 * samples left in the current one), scaled by how the finished steps compared
 * with their expectation (a busy machine takes longer; the factor is bounded).
 */
export class Estimate {
  private readonly expected: number[];
  private step = -1;
  private ticks = 0;
  private spent = 0;
  private spentExpected = 0;

  constructor(
    private readonly steps: Planned[],
    mode: 'full' | 'quick' | 'smoke',
  ) {
    this.expected = steps.map((s) => expectedSeconds(s, mode));
  }

  /** A step begins (steps begin in order). `elapsed`: seconds the previous one took. */
  next(elapsed?: number): void {
    if (this.step >= 0 && elapsed !== undefined) {
      this.spent += elapsed;
      this.spentExpected += this.expected[this.step];
    }
    this.step++;
    this.ticks = 0;
  }

  /** One sample of the current step is done. */
  tick(): void {
    this.ticks++;
  }

  /** How much slower (> 1) or faster than the table this machine runs, from the finished steps. */
  factor(): number {
    if (this.spentExpected <= 0) return 1;
    return Math.min(4, Math.max(0.25, this.spent / this.spentExpected));
  }

  /** Seconds left. */
  remaining(): number {
    let left = 0;
    for (let i = Math.max(this.step, 0); i < this.steps.length; i++) {
      const runs = this.steps[i].runs;
      const done = i === this.step && runs > 0 ? Math.min(1, this.ticks / runs) : 0;
      left += this.expected[i] * (1 - done);
    }
    return left * this.factor();
  }
}

/** `1m05s`, `42s`. */
export function formatSeconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  return t >= 60 ? `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s` : `${t}s`;
}
