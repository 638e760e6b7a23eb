/**
 * The head-of-line scenario in the report: its target and its table.
 * Runtime-neutral (strings only).
 * @module
 */
import type { Result, Target } from './results.js';
import { fmt } from './stats.js';

const ok = (r: Result) => !r.error && Number.isFinite(r.median);

/** How far behind the best peer Offload's last short task may finish. */
export const HEAD_OF_LINE_PEER_FACTOR = 1.25;

/**
 * The head-of-line target of one Offload backend and variant: its last short
 * task must finish within 1.25x the best peer's of the same runtime and
 * isolation (where there is a peer) and within half the long task's spin, so
 * that it never waits for the long task. Ideally it finishes after the short
 * tasks' own work (shorts x shortMs on the free worker) plus overhead.
 */
export function headOfLineTarget(results: Result[], runtime: string, backend: string, workload: string): Target | undefined {
  const rows = results.filter((r) => r.runtime === runtime && r.scenario === 'head-of-line' && r.workload === workload);
  const mine = rows.find((r) => r.backend === backend);
  if (!mine) return undefined;
  const long = results.find((r) => r.runtime === runtime && r.scenario === 'head-of-line-long' && r.workload === workload && r.backend === backend);
  const peer = rows.filter((r) => r.kind === 'peer' && r.isolation === mine.isolation && ok(r)).sort((a, b) => a.median - b.median)[0];
  const raw = rows.find((r) => r.kind === 'raw' && r.isolation === mine.isolation && ok(r));
  const bound = (mine.longMs ?? Number.NaN) / 2;
  const threshold = peer ? Math.min(HEAD_OF_LINE_PEER_FACTOR * peer.median, bound) : bound;
  const value = ok(mine) ? mine.median : Number.NaN;
  const status = !Number.isFinite(value) || !Number.isFinite(threshold) ? 'n/a' : value <= threshold ? 'met' : 'missed';
  const figures = [
    `last short ${fmt(mine.median)} ms, long ${fmt(long?.median)} ms`,
    peer ? `${peer.backend} ${fmt(peer.median)} ms` : 'no peer',
    raw ? `${raw.backend} ${fmt(raw.median)} ms` : undefined,
  ];
  return {
    id: `${runtime}/${backend}/head-of-line-${workload}`,
    runtime,
    description: `${runtime} · ${backend} head-of-line (${workload}): last of ${fmt(mine.n)} short tasks <= ${
      peer ? `${HEAD_OF_LINE_PEER_FACTOR}x the best ${mine.isolation === 'thread' ? '' : 'process-based '}peer and ` : ''
    }half the ${fmt(mine.longMs)} ms task`,
    value,
    threshold: Number(threshold.toFixed(1)),
    op: '<=',
    unit: 'ms',
    status,
    detail: figures.filter(Boolean).join('; '),
  };
}

/** Every head-of-line target of the results: per runtime, Offload backend and variant. */
export function headOfLineTargets(results: Result[], runtime: string, backend: string): Target[] {
  const workloads = [...new Set(results.filter((r) => r.runtime === runtime && r.scenario === 'head-of-line').map((r) => r.workload))];
  return workloads.map((w) => headOfLineTarget(results, runtime, backend, w)).filter((t): t is Target => t !== undefined);
}

/** Rows of the head-of-line table of one runtime: backend, kind, isolation, variant, last short, its range, long, vs the best peer. */
export function headOfLineRows(results: Result[], runtime: string): string[][] {
  const rows = results.filter((r) => r.runtime === runtime && r.scenario === 'head-of-line');
  return rows.map((r) => {
    const long = results.find((x) => x.runtime === runtime && x.scenario === 'head-of-line-long' && x.workload === r.workload && x.backend === r.backend);
    const peer = rows
      .filter((x) => x.workload === r.workload && x.kind === 'peer' && x.isolation === r.isolation && ok(x))
      .sort((a, b) => a.median - b.median)[0];
    const vs = peer && peer !== r && ok(r) ? `${fmt(peer.median / r.median)}x` : '';
    return [
      r.backend,
      r.kind,
      r.isolation,
      r.workload,
      r.error ? `error: ${r.error.slice(0, 60)}` : fmt(r.median),
      ok(r) ? `${fmt(r.min)}-${fmt(r.max)}` : '',
      long && ok(long) ? fmt(long.median) : '',
      vs,
    ];
  });
}

/** Title of the head-of-line table of one runtime (the sizes come from its rows). */
export function headOfLineTitle(results: Result[], runtime: string): string | undefined {
  const r = results.find((x) => x.runtime === runtime && x.scenario === 'head-of-line');
  if (!r) return undefined;
  return `${runtime} · head-of-line: ${r.workers} workers, one ${fmt(r.longMs)} ms task then ${fmt(r.n)} short ones (ms from the long task's submission; lower is better, ratios > 1 are better)`;
}

/** Header of the head-of-line table. */
export const HEAD_OF_LINE_HEADER = ['backend', 'kind', 'isolation', 'variant', 'last short ms', 'min-max', 'long done ms', 'vs best peer'];
