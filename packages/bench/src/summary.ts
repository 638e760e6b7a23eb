/**
 * The summary that opens the report: per runtime, which backend to use for
 * which kind of work, each with the figure of this run that supports it, and
 * why some speedups fall below 1. Computed from the results only.
 * Runtime-neutral (strings only).
 * @module
 */
import { ioRecommendation } from './io-report.js';
import { queueSummary } from './queue-report.js';
import type { Machine, Result } from './results.js';
import { fmt, ratio } from './stats.js';

/** One line of the summary: for `use`, pick `backend`, because `figure`. */
export interface Recommendation {
  runtime: string;
  /** The kind of work (`CPU-bound work`, `many tiny tasks`, `isolation (separate processes)`, `I/O-bound work`, `more machines than one (a job queue)`). */
  use: string;
  /** The Offload backend (and how to use it), or `-` when this run has no figure for it. */
  backend: string;
  /** The measured figure that supports the choice, against the alternatives of the run. */
  figure: string;
}

/** A rule of the summary: one recommendation of a runtime from the results, or none when the run lacks its figures. */
export type Recommender = (results: Result[], runtime: string) => Recommendation | undefined;

const ok = (r: Result | undefined): r is Result => r !== undefined && !r.error && Number.isFinite(r.median);
const x = (v: number | undefined) => `${fmt(v)}x`;

const of = (results: Result[], runtime: string, scenario: Result['scenario']) =>
  results.filter((r) => r.runtime === runtime && r.scenario === scenario && ok(r));

/** The best row by median (respecting `better`). */
function best(rows: Result[]): Result | undefined {
  return [...rows].sort((a, b) => (a.better === 'higher' ? b.median - a.median : a.median - b.median))[0];
}

/** Geometric mean (speedups average as ratios). */
function geomean(values: number[]): number {
  const v = values.filter((n) => Number.isFinite(n) && n > 0);
  return v.length ? Math.exp(v.reduce((s, n) => s + Math.log(n), 0) / v.length) : Number.NaN;
}

/**
 * CPU-bound work: the Offload backend with the best speedup over the main
 * thread at the most workers (geometric mean over the workloads, warm pool
 * where measured), quoted on is_prime (or its best workload) beside the
 * fastest peer and the raw floor of the same workload and worker count.
 */
export const cpuBound: Recommender = (results, runtime) => {
  const warm = of(results, runtime, 'scaling-warm');
  const cold = of(results, runtime, 'scaling');
  const rows = warm.length ? warm : cold;
  const most = Math.max(...rows.map((r) => r.workers));
  const at = rows.filter((r) => r.workers === most && r.speedup !== undefined);
  const mine = [...new Set(at.filter((r) => r.kind === 'offload').map((r) => r.backend))];
  if (mine.length === 0) return undefined;
  const score = (b: string) => geomean(at.filter((r) => r.backend === b).map((r) => r.speedup as number));
  const pick = mine.sort((a, b) => score(b) - score(a))[0];
  const workloads = at.filter((r) => r.backend === pick);
  const quoted = workloads.find((r) => r.workload === 'is_prime') ?? workloads.sort((a, b) => (b.speedup ?? 0) - (a.speedup ?? 0))[0];
  const same = (r: Result) => r.workload === quoted.workload && r.workers === most;
  const peer = best(at.filter((r) => r.kind === 'peer' && same(r)).map((r) => ({ ...r, median: r.speedup as number, better: 'higher' as const })));
  const raw = at.find((r) => r.kind === 'raw' && r.isolation === quoted.isolation && same(r));
  const coldMine = cold.find((r) => r.backend === pick && same(r));
  const parts = [
    `${quoted.workload}: ${x(quoted.speedup)} the main thread with ${most} worker${most > 1 ? 's' : ''}${warm.length ? ' on a warm pool' : ''}`,
    warm.length && coldMine ? `${x(coldMine.speedup)} counting the workers' start-up` : undefined,
    peer ? `fastest peer ${peer.backend} ${x(peer.median)}` : undefined,
    raw ? `raw floor ${x(raw.speedup)}` : undefined,
  ];
  return { runtime, use: 'CPU-bound work', backend: pick, figure: parts.filter(Boolean).join('; ') };
};

/**
 * Many tiny tasks: `map()` with chunking on the fastest Offload backend, against
 * the same map without chunking and against the fastest pool's one-task-per-call burst.
 */
export const tinyTasks: Recommender = (results, runtime) => {
  const map = best(of(results, runtime, 'map'));
  if (!map) return undefined;
  const unchunked = of(results, runtime, 'map-unchunked').find((r) => r.backend === map.backend);
  const bursts = of(results, runtime, 'burst');
  const peer = best(bursts.filter((r) => r.kind === 'peer'));
  const own = bursts.find((r) => r.backend === map.backend);
  const parts = [
    `${fmt(map.median)} items/s (${map.note ?? 'chunked'})`,
    unchunked ? `${x(ratio(map.median, unchunked.median))} the same map with chunkSize 1` : undefined,
    peer ? `${x(ratio(map.median, peer.median))} the fastest peer's burst (${peer.backend}, ${fmt(peer.median)} tasks/s)` : undefined,
    own && !peer ? `${x(ratio(map.median, own.median))} its own submit() burst` : undefined,
  ];
  return { runtime, use: 'many tiny tasks', backend: `${map.backend}, map() with chunkSize`, figure: parts.filter(Boolean).join('; ') };
};

/** Isolation (a crash or a leak cannot take the program down): the process-based Offload backend, against process-based peers. */
export const isolation: Recommender = (results, runtime) => {
  const bursts = of(results, runtime, 'burst').filter((r) => r.isolation === 'process');
  const mine = best(bursts.filter((r) => r.kind === 'offload'));
  if (!mine) return undefined;
  const peer = best(bursts.filter((r) => r.kind === 'peer'));
  const cold = of(results, runtime, 'cold-start').find((r) => r.backend === mine.backend);
  const parts = [
    `burst ${fmt(mine.median)} tasks/s`,
    peer ? `${x(ratio(mine.median, peer.median))} the fastest process-based peer (${peer.backend})` : undefined,
    cold ? `first result in ${fmt(cold.median)} ms from a cold start` : undefined,
  ];
  return { runtime, use: 'isolation (separate processes)', backend: mine.backend, figure: parts.filter(Boolean).join('; ') };
};

/**
 * I/O-bound work: from the `io` scenario (sequential fetch vs `Promise.all` vs
 * InlineExecutor vs the worker backends), through {@link ioRecommendation}:
 * InlineExecutor while it keeps up with the `Promise.all` floor, with its time
 * against sequential and the floor. When it falls behind, the faster approach
 * is named and the figure says it is the InlineExecutor's.
 */
export const ioBound: Recommender = (results, runtime) => {
  const rec = ioRecommendation(results, runtime);
  if (!rec) return undefined;
  return { runtime, use: 'I/O-bound work', backend: rec.backend, figure: rec.backend === 'InlineExecutor' ? rec.figure : `InlineExecutor ${rec.figure}` };
};

/** More machines than one: Offload over a job queue (the `bullmq` row), with what a job costs against the raw queue and what is_prime gains. */
export const scaleOut: Recommender = (results, runtime) => {
  const line = queueSummary(results, runtime);
  return line && { runtime, ...line };
};

/** The rules of the summary, in order. */
export const RECOMMENDERS: Recommender[] = [cpuBound, tinyTasks, isolation, ioBound, scaleOut];

/** Every recommendation of every runtime of the results, runtime by runtime. */
export function recommend(results: Result[], rules: Recommender[] = RECOMMENDERS): Recommendation[] {
  const runtimes = [...new Set(results.map((r) => r.runtime))];
  return runtimes.flatMap((rt) => rules.map((rule) => rule(results, rt)).filter((r): r is Recommendation => r !== undefined));
}

/**
 * Why a speedup is below 1, per runtime and workload where an Offload backend's
 * cold speedup at the most workers is: start-up in the sample (the warm pool is
 * faster than the main thread), copying and per-task cost larger than the work
 * (the warm pool is slower too), and a machine with 2 cores or fewer.
 */
export function slowdowns(results: Result[], machine?: Pick<Machine, 'cores'>): string[] {
  const out: string[] = [];
  for (const runtime of [...new Set(results.map((r) => r.runtime))]) {
    const cold = of(results, runtime, 'scaling').filter((r) => r.kind === 'offload');
    const most = Math.max(...cold.map((r) => r.workers));
    for (const workload of [...new Set(cold.map((r) => r.workload))]) {
      const slow = cold.filter((r) => r.workload === workload && r.workers === most && (r.speedup ?? 1) < 1);
      if (slow.length === 0) continue;
      const seq = of(results, runtime, 'sequential').find((r) => r.workload === workload);
      const figures: string[] = [];
      const reasons = new Set<string>();
      for (const r of slow) {
        const warm = of(results, runtime, 'scaling-warm').find((w) => w.backend === r.backend && w.workload === workload && w.workers === most);
        figures.push(`${r.backend} ${x(r.speedup)} cold${warm ? `, ${x(warm.speedup)} warm` : ''}`);
        const rawWarm = of(results, runtime, 'scaling-warm').find(
          (w) => w.kind === 'raw' && w.isolation === r.isolation && w.workload === workload && w.workers === most,
        );
        if (!warm) reasons.add('the sample includes starting the workers');
        else if ((warm.speedup ?? 0) >= 1) reasons.add('the sample includes starting the workers; a started pool is faster than the main thread');
        else if (rawWarm && (rawWarm.speedup ?? 0) < 1)
          reasons.add(
            `even a started raw floor (${rawWarm.backend}) is below 1 (${x(rawWarm.speedup)}): the work, ${fmt(seq?.median)} ms on the main thread, is too small for ${most} workers on this machine as loaded`,
          );
        else
          reasons.add(
            `per-task cost (copying inputs and results, passing messages) or the load of the machine outweighs the gain on work that takes the main thread ${fmt(seq?.median)} ms${rawWarm ? ` (a started raw floor reaches ${x(rawWarm.speedup)})` : ''}`,
          );
      }
      if (machine && machine.cores <= 2)
        reasons.add(`this machine has ${machine.cores} cores, which the workers share with the main thread and anything else running`);
      out.push(
        `${runtime} · ${workload} with ${most} worker${most > 1 ? 's' : ''}: ${figures.join('; ')}. ${[...reasons].map((s) => s[0].toUpperCase() + s.slice(1)).join('. ')}.`,
      );
    }
  }
  return out;
}

/** The summary as text: per runtime, use -> backend and figure; then why speedups fall below 1. */
export function summaryText(results: Result[], machine?: Pick<Machine, 'cores'>): string {
  const recs = recommend(results);
  const why = slowdowns(results, machine);
  const lines: string[] = [];
  for (const runtime of [...new Set(recs.map((r) => r.runtime))]) {
    lines.push(runtime);
    for (const r of recs.filter((x) => x.runtime === runtime)) lines.push(`  ${r.use}: ${r.backend}. ${r.figure}`);
  }
  const parts = [
    recs.length
      ? `summary: which backend to use (figures of this run)\n${lines.join('\n')}`
      : 'summary: this run has no figure to recommend a backend from (run the scaling, burst, map or io scenarios)',
  ];
  if (why.length) parts.push(`speedups below 1\n${why.map((w) => `- ${w}`).join('\n')}`);
  return parts.join('\n\n');
}
