/**
 * The `bullmq` row in the report: Offload over a job queue (BullMQ on Redis)
 * against the raw queue (`queue.add` + a plain `Worker`) and beside BullMQ's
 * sandboxed processors, with 1, 2 and 4 worker processes, and is_prime end to
 * end against the node-worker backend.
 * Its targets, its tables, its line of the summary, and the rows that say why
 * it was skipped. The measuring code is packages/bullmq/bench/row.ts.
 * Runtime-neutral (strings only).
 * @module
 */
import type { Result, Target } from './results.js';
import { fmt, ratio, textTable } from './stats.js';

/** Scenarios of the row: one task at a time (µs per round trip), a burst (tasks/s), is_prime end to end (ms). */
export const QUEUE_SCENARIOS = ['queue-pingpong', 'queue-burst', 'queue-scaling'] as const;

/** The app's scenarios (`--scenarios`) the row takes part in, and the part of the row each one selects. */
export const QUEUE_PARTS: Record<string, (typeof QUEUE_SCENARIOS)[number]> = { pingpong: 'queue-pingpong', burst: 'queue-burst', scaling: 'queue-scaling' };

/** Offload's per-job overhead may be at most this many times raw BullMQ's. */
export const QUEUE_OVERHEAD_FACTOR = 1.25;
/** is_prime with 2 worker processes: at least this fraction of the node-worker backend's speedup with 2 threads. */
export const QUEUE_SPEEDUP_FACTOR = 0.9;

/**
 * The peer beside raw BullMQ: BullMQ's sandboxed processors with
 * `useWorkerThreads` (the task runs in a worker thread, off BullMQ's event
 * loop, as on Offload's worker machines). Shown, not a target.
 */
export const SANDBOXED = 'bullmq-sandboxed';

/** How the error of a row that could not run begins. */
export const SKIPPED = 'skipped:';

const ok = (r: Result | undefined): r is Result => r !== undefined && !r.error && Number.isFinite(r.median);
const rowsOf = (results: Result[], runtime: string) =>
  results.filter((r) => r.runtime === runtime && (QUEUE_SCENARIOS as readonly string[]).includes(r.scenario));
const pick = (rows: Result[], scenario: Result['scenario'], backend: string, workers?: number) =>
  rows.find((r) => r.scenario === scenario && r.backend === backend && (workers === undefined || r.workers === workers));
const procs = (n: number) => `${n} worker process${n > 1 ? 'es' : ''}`;

/** The runtimes of the results that have queue rows (the app's is `bullmq`). */
export function queueRuntimes(results: Result[]): string[] {
  return [...new Set(results.filter((r) => (QUEUE_SCENARIOS as readonly string[]).includes(r.scenario)).map((r) => r.runtime))];
}

/**
 * The rows of a row that could not run (no redis-server, a package not
 * built): one per part asked for, Offload and the raw queue, each with the
 * reason as its error, so that the tables and the targets say it was skipped
 * and why. `parts` are app scenarios (`pingpong`, `burst`, `scaling`).
 */
export function queueSkippedRows(reason: string, parts: string[], runtime = 'bullmq'): Result[] {
  const out: Result[] = [];
  for (const part of parts) {
    const scenario = QUEUE_PARTS[part];
    if (!scenario) continue;
    for (const backend of scenario === 'queue-scaling' ? ['bullmq'] : ['bullmq', 'raw-bullmq']) {
      out.push({
        runtime,
        scenario,
        backend,
        kind: backend === 'bullmq' ? 'offload' : 'raw',
        isolation: 'process',
        workload: scenario === 'queue-scaling' ? 'is_prime' : 'add',
        workers: scenario === 'queue-scaling' ? 2 : 1,
        n: 0,
        unit: scenario === 'queue-burst' ? 'tasks/s' : scenario === 'queue-pingpong' ? 'us' : 'ms',
        better: scenario === 'queue-burst' ? 'higher' : 'lower',
        samples: [],
        median: Number.NaN,
        min: Number.NaN,
        max: Number.NaN,
        error: `${SKIPPED} ${reason}`,
      });
    }
  }
  return out;
}

/** Offload's time per task over the raw queue's (> 1: Offload is slower), from two rows of the same scenario and worker count. */
export function overheadRatio(offload: Result | undefined, raw: Result | undefined): number {
  if (!ok(offload) || !ok(raw)) return Number.NaN;
  return offload.better === 'higher' ? ratio(raw.median, offload.median) : ratio(offload.median, raw.median);
}

/** µs per task of a row: its own figure (one at a time), or 1e6 / tasks/s (a burst). */
const usPerTask = (r: Result | undefined) => (!ok(r) ? Number.NaN : r.unit === 'tasks/s' ? 1e6 / r.median : r.median);

/**
 * The row's targets: per worker-process count, Offload's per-job overhead one
 * task at a time and in a burst within 1.25x raw BullMQ's; and is_prime with 2
 * worker processes at least 0.9x the node-worker backend's speedup with 2
 * threads, measured in the same run. A target whose figures are missing (the
 * row was skipped or failed) is n/a and says why.
 */
export function queueTargets(results: Result[]): Target[] {
  const out: Target[] = [];
  for (const runtime of queueRuntimes(results)) {
    const rows = rowsOf(results, runtime);
    const why = (rs: (Result | undefined)[]) => rs.find((r) => r?.error)?.error;
    for (const [scenario, what] of [
      ['queue-pingpong', 'one task at a time'],
      ['queue-burst', 'in a burst'],
    ] as const) {
      const counts = [...new Set(rows.filter((r) => r.scenario === scenario).map((r) => r.workers))].sort((a, b) => a - b);
      for (const workers of counts) {
        const mine = pick(rows, scenario, 'bullmq', workers);
        const raw = pick(rows, scenario, 'raw-bullmq', workers);
        const value = overheadRatio(mine, raw);
        const error = why([mine, raw]);
        const n = mine?.n || raw?.n;
        out.push({
          id: `${runtime}/bullmq/overhead-${scenario === 'queue-pingpong' ? 'one-at-a-time' : 'burst'}-${workers}`,
          runtime,
          description: `${runtime} · Offload's per-job overhead ${what}${scenario === 'queue-burst' && n ? ` (${fmt(n)} tasks)` : ''}, ${procs(workers)}: <= ${QUEUE_OVERHEAD_FACTOR}x raw BullMQ's`,
          value,
          threshold: QUEUE_OVERHEAD_FACTOR,
          op: '<=',
          status: !Number.isFinite(value) ? 'n/a' : value <= QUEUE_OVERHEAD_FACTOR ? 'met' : 'missed',
          detail: error ?? `${fmt(usPerTask(mine))} vs ${fmt(usPerTask(raw))} µs per task`,
        });
      }
    }
    if (rows.some((r) => r.scenario === 'queue-scaling')) {
      const mine = pick(rows, 'queue-scaling', 'bullmq', 2);
      const local = pick(rows, 'queue-scaling', 'node-worker', 2);
      const value = ok(mine) && ok(local) ? ratio(mine.speedup, local.speedup) : Number.NaN;
      out.push({
        id: `${runtime}/bullmq/is_prime-speedup`,
        runtime,
        description: `${runtime} · is_prime with 2 worker processes: speedup >= ${QUEUE_SPEEDUP_FACTOR}x the node-worker backend's with 2 threads`,
        value,
        threshold: QUEUE_SPEEDUP_FACTOR,
        op: '>=',
        status: !Number.isFinite(value) ? 'n/a' : value >= QUEUE_SPEEDUP_FACTOR ? 'met' : 'missed',
        detail: why([mine, local]) ?? `${fmt(mine?.speedup)}x vs ${fmt(local?.speedup)}x`,
      });
    }
  }
  return out;
}

/** Per worker-process count: one at a time and a burst, `peer` beside Offload, and the ratios. */
function versus(rows: Result[], counts: number[], peer: string, label: string): string {
  const burstN = rows.find((r) => r.scenario === 'queue-burst')?.n;
  const body = counts.map((w) => {
    const [pr, po, br, bo] = [
      pick(rows, 'queue-pingpong', peer, w),
      pick(rows, 'queue-pingpong', 'bullmq', w),
      pick(rows, 'queue-burst', peer, w),
      pick(rows, 'queue-burst', 'bullmq', w),
    ];
    const us = (r: Result | undefined) => (ok(r) ? ` (${fmt(usPerTask(r))} µs)` : '');
    return [procs(w), cell(pr), cell(po), x(overheadRatio(po, pr)), `${cell(br)}${us(br)}`, `${cell(bo)}${us(bo)}`, x(overheadRatio(bo, br))];
  });
  return textTable(
    [
      'workers',
      `one at a time, ${label} µs`,
      'Offload µs',
      'ratio',
      `burst${burstN ? ` of ${fmt(burstN)}` : ''}, ${label} tasks/s`,
      'Offload tasks/s',
      'ratio',
    ],
    body,
  );
}

const cell = (r: Result | undefined) => (!r ? '' : r.error ? `error: ${r.error.slice(0, 80)}` : fmt(r.median));
const x = (v: number) => (Number.isFinite(v) ? `${fmt(v)}x` : '');

/** The row's tables as text: per-task overhead per worker-process count, then is_prime end to end; or the reason it was skipped. */
export function queueTables(results: Result[]): string[] {
  const out: string[] = [];
  for (const runtime of queueRuntimes(results)) {
    const rows = rowsOf(results, runtime);
    const skipped = rows.find((r) => r.error?.startsWith(SKIPPED));
    if (skipped && rows.every((r) => r.error?.startsWith(SKIPPED))) {
      out.push(`${runtime} · Offload over BullMQ: ${skipped.error}`);
      continue;
    }
    const counts = [...new Set(rows.filter((r) => r.scenario !== 'queue-scaling').map((r) => r.workers))].sort((a, b) => a - b);
    if (counts.length)
      out.push(
        `${runtime} · Offload over BullMQ vs raw BullMQ (queue.add + a plain Worker), add tasks, worker processes of one slot each; ratio: Offload's time per task / raw's (lower is better)\n${versus(rows, counts, 'raw-bullmq', 'raw')}`,
      );
    if (counts.length && rows.some((r) => r.backend === SANDBOXED))
      out.push(
        `${runtime} · Offload over BullMQ vs BullMQ's sandboxed processors (useWorkerThreads: the task in a worker thread, off BullMQ's event loop, as on Offload's worker machines), same tasks and processes; ratio: Offload's time per task / sandboxed's\n${versus(rows, counts, SANDBOXED, 'sandboxed')}`,
      );
    const primes = rows.filter((r) => r.scenario === 'queue-scaling');
    if (primes.length) {
      const local = pick(primes, 'queue-scaling', 'node-worker', 2);
      const body = primes.map((r) => [
        r.backend === 'main-thread' ? 'main thread' : r.backend === 'node-worker' ? `node-worker, ${r.workers} threads` : `bullmq, ${procs(r.workers)}`,
        cell(r),
        ok(r) ? `${fmt(r.min)}-${fmt(r.max)}` : '',
        ok(r) && r.speedup !== undefined ? `${fmt(r.speedup)}x` : '',
        r.backend === 'bullmq' && ok(r) && ok(local) ? x(ratio(r.speedup, local.speedup)) : '',
      ]);
      out.push(
        `${runtime} · is_prime end to end (${fmt(primes[0].n)} candidates; warm workers): time (median) and speedup over the main thread, beside the node-worker backend in the same run\n${textTable(
          ['', 'ms', 'min-max', 'speedup', "vs node-worker's"],
          body,
        )}`,
      );
    }
  }
  return out;
}

/** The row's line of the summary: what a job queue costs per task and what it buys on is_prime, or undefined without its figures. */
export function queueSummary(results: Result[], runtime: string): { use: string; backend: string; figure: string } | undefined {
  const rows = rowsOf(results, runtime);
  const mine = pick(rows, 'queue-scaling', 'bullmq', 2);
  const local = pick(rows, 'queue-scaling', 'node-worker', 2);
  const one = overheadRatio(pick(rows, 'queue-pingpong', 'bullmq', 1), pick(rows, 'queue-pingpong', 'raw-bullmq', 1));
  const burst = overheadRatio(pick(rows, 'queue-burst', 'bullmq', 1), pick(rows, 'queue-burst', 'raw-bullmq', 1));
  const sandboxed = overheadRatio(pick(rows, 'queue-burst', 'bullmq', 1), pick(rows, 'queue-burst', SANDBOXED, 1));
  const rt = pick(rows, 'queue-pingpong', 'bullmq', 1);
  const parts = [
    ok(mine)
      ? `is_prime with 2 worker processes ${fmt(mine.speedup)}x the main thread${ok(local) ? ` (node-worker with 2 threads ${fmt(local.speedup)}x)` : ''}`
      : undefined,
    ok(rt) ? `${fmt(rt.median / 1000)} ms per job one at a time` : undefined,
    Number.isFinite(one) || Number.isFinite(burst)
      ? `per-job time ${[Number.isFinite(one) ? `${fmt(one)}x raw BullMQ's one at a time` : '', Number.isFinite(burst) ? `${fmt(burst)}x in a burst` : ''].filter(Boolean).join(', ')}`
      : undefined,
    Number.isFinite(sandboxed) ? `${fmt(sandboxed)}x BullMQ's sandboxed processors' in a burst` : undefined,
  ].filter(Boolean);
  if (parts.length === 0) return undefined;
  return {
    use: 'more machines than one (a job queue)',
    backend: '@offload/bullmq',
    figure: `${parts.join('; ')}; batch small tasks with map(..., { chunkSize })`,
  };
}
