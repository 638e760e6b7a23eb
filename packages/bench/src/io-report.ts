/**
 * The io and mixed scenarios in the report: their tables, their targets, and
 * the I/O recommendation with the figure that supports it (for the report's
 * summary). Runtime-neutral (strings only).
 * @module
 */
import type { Result, Target } from './results.js';
import { fmt, ratio } from './stats.js';

const ok = (r: Result | undefined): r is Result => !!r && !r.error && Number.isFinite(r.median);

/** InlineExecutor's flags download may take at most this much longer than `Promise.all`. */
export const IO_FLOOR_FACTOR = 1.1;
/** InlineExecutor's flags download must be at least this much faster than sequential. */
export const IO_SEQUENTIAL_FACTOR = 10;
/** Event-loop lag p99 with CPU work offloaded must be at least this much lower than inline. */
export const MIXED_LAG_FACTOR = 20;

const io = (results: Result[], runtime: string) => results.filter((r) => r.runtime === runtime && r.scenario === 'io');
const pick = (rows: Result[], backend: string) => rows.find((r) => r.backend === backend);

function status(value: number, threshold: number, op: '>=' | '<='): Target['status'] {
  if (!Number.isFinite(value)) return 'n/a';
  return (op === '>=' ? value >= threshold : value <= threshold) ? 'met' : 'missed';
}

/** The io and mixed targets of one runtime: InlineExecutor against the floor and sequential; lag offloaded vs inline per backend. */
export function ioTargets(results: Result[], runtime: string): Target[] {
  const out: Target[] = [];
  const rows = io(results, runtime);
  const inline = pick(rows, 'inline');
  if (inline) {
    const floor = pick(rows, 'Promise.all');
    const seq = pick(rows, 'sequential');
    const vsFloor = ok(inline) && ok(floor) ? ratio(inline.median, floor.median) : Number.NaN;
    const vsSeq = ok(inline) && ok(seq) ? ratio(seq.median, inline.median) : Number.NaN;
    const where = `${fmt(inline.n)} flags at ${fmt(inline.latencyMs)} ms`;
    out.push({
      id: `${runtime}/inline/io-vs-promise-all`,
      runtime,
      description: `${runtime} · InlineExecutor flags download (${where}) within ${IO_FLOOR_FACTOR}x plain Promise.all`,
      value: vsFloor,
      threshold: IO_FLOOR_FACTOR,
      op: '<=',
      status: status(vsFloor, IO_FLOOR_FACTOR, '<='),
      detail: `${fmt(inline.median)} ms vs ${fmt(floor?.median)} ms`,
    });
    out.push({
      id: `${runtime}/inline/io-vs-sequential`,
      runtime,
      description: `${runtime} · InlineExecutor flags download (${where}) >= ${IO_SEQUENTIAL_FACTOR}x sequential`,
      value: vsSeq,
      threshold: IO_SEQUENTIAL_FACTOR,
      op: '>=',
      status: status(vsSeq, IO_SEQUENTIAL_FACTOR, '>='),
      detail: `${fmt(seq?.median)} ms vs ${fmt(inline.median)} ms`,
    });
  }
  const mixed = results.filter((r) => r.runtime === runtime && r.scenario === 'mixed');
  const inlineLag = pick(mixed, 'main-thread');
  for (const r of mixed.filter((x) => x.workload === 'offloaded' && x.kind === 'offload')) {
    const value = ok(r) && ok(inlineLag) ? ratio(inlineLag.median, r.median) : Number.NaN;
    out.push({
      id: `${runtime}/${r.backend}/mixed-lag`,
      runtime,
      description: `${runtime} · ${r.backend} event-loop lag p99 with CPU work offloaded >= ${MIXED_LAG_FACTOR}x lower than inline`,
      value,
      threshold: MIXED_LAG_FACTOR,
      op: '>=',
      status: status(value, MIXED_LAG_FACTOR, '>='),
      detail: `${fmt(inlineLag?.median)} ms inline vs ${fmt(r.median)} ms offloaded`,
    });
  }
  return out;
}

/** The table of the flags download of one runtime, or undefined without io rows. */
export function ioTable(results: Result[], runtime: string, table: (header: string[], rows: string[][]) => string): string | undefined {
  const rows = io(results, runtime);
  if (rows.length === 0) return undefined;
  const floor = pick(rows, 'Promise.all');
  const body = rows.map((r) => [
    r.backend,
    fmt(r.concurrency),
    r.error ? `error: ${r.error.slice(0, 60)}` : fmt(r.median),
    ok(r) ? `${fmt(r.min)}-${fmt(r.max)}` : '',
    ok(r) ? `${fmt(r.speedup, 3)}x` : '',
    ok(r) && ok(floor) ? `${fmt(r.median / floor.median, 3)}x` : '',
    r.note ?? '',
  ]);
  const r0 = rows[0];
  return `${runtime} · io: download ${fmt(r0.n)} flags, ${fmt(r0.latencyMs)} ms latency each, from a loopback server (time; lower is better)\n${table(
    ['approach', 'in flight', 'ms', 'min-max', 'speedup', 'vs Promise.all', 'how'],
    body,
  )}`;
}

/** The table of the mixed scenario of one runtime, or undefined without mixed rows. */
export function mixedTable(results: Result[], runtime: string, table: (header: string[], rows: string[][]) => string): string | undefined {
  const rows = results.filter((r) => r.runtime === runtime && r.scenario === 'mixed');
  if (rows.length === 0) return undefined;
  const inline = pick(rows, 'main-thread');
  const body = rows.map((r) => {
    const resp = results.find((x) => x.runtime === runtime && x.scenario === 'mixed-io' && x.backend === r.backend);
    return [
      r.workload === 'inline' ? 'inline (main thread)' : `offloaded: ${r.backend} x${r.workers}${r.kind === 'raw' ? ' (raw floor)' : ''}`,
      r.error ? `error: ${r.error.slice(0, 60)}` : fmt(r.median),
      ok(r) ? `${fmt(r.min)}-${fmt(r.max)}` : '',
      ok(resp) ? fmt(resp.median) : '',
      ok(r) && ok(inline) && r !== inline ? `${fmt(inline.median / r.median, 3)}x` : '',
    ];
  });
  const note = (rows[0].note ?? '').split('; ')[1] ?? '';
  return `${runtime} · mixed: a loop answering requests (${note}); CPU inline vs offloaded\n${table(
    ['CPU work', 'lag p99 ms', 'min-max', 'I/O answer p99 ms', 'lag lower by'],
    body,
  )}`;
}

/** The backend to use for I/O-bound work, and the bench figure that says why. */
export interface IoRecommendation {
  runtime: string;
  /** `InlineExecutor` when the event loop keeps up with the floor; else the fastest approach measured. */
  backend: string;
  /** The figure in short: the InlineExecutor's time against sequential and the floor. */
  figure: string;
  /** One sentence with the figures. */
  text: string;
}

/**
 * The I/O recommendation of one runtime (the first with io rows when none is
 * named), from the io rows: the InlineExecutor against sequential, the
 * `Promise.all` floor and the fastest worker backend. Undefined without the
 * figures.
 */
export function ioRecommendation(results: Result[], runtime?: string): IoRecommendation | undefined {
  const rt = runtime ?? results.find((r) => r.scenario === 'io')?.runtime;
  if (!rt) return undefined;
  const rows = io(results, rt);
  const inline = pick(rows, 'inline');
  const seq = pick(rows, 'sequential');
  const floor = pick(rows, 'Promise.all');
  if (!ok(inline) || !ok(seq) || !ok(floor)) return undefined;
  const worker = rows.filter((r) => r.kind === 'offload' && r.backend !== 'inline' && ok(r)).sort((a, b) => a.median - b.median)[0];
  const workerText = worker
    ? `; ${worker.backend} with ${worker.workers} worker${worker.workers > 1 ? 's' : ''} takes ${fmt(worker.median)} ms (${fmt(ratio(worker.median, inline.median))}x longer: at most ${worker.workers} requests in flight)`
    : '';
  const keepsUp = inline.median <= IO_FLOOR_FACTOR * floor.median;
  const figure = `${fmt(inline.median)} ms for ${fmt(inline.n)} flags at ${fmt(inline.latencyMs)} ms: ${fmt(inline.speedup)}x sequential, ${fmt(ratio(inline.median, floor.median))}x Promise.all`;
  return {
    figure,
    runtime: rt,
    backend: keepsUp ? 'InlineExecutor' : [inline, floor, worker].filter(ok).sort((a, b) => a.median - b.median)[0].backend,
    text: `I/O-bound (${fmt(inline.n)} flags at ${fmt(inline.latencyMs)} ms, ${rt}): InlineExecutor ${fmt(inline.median)} ms, ${fmt(inline.speedup)}x sequential (${fmt(seq.median)} ms), ${fmt(ratio(inline.median, floor.median))}x plain Promise.all${workerText}. Workers add nothing to I/O and cap concurrency at the worker count.`,
  };
}
