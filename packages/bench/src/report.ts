/**
 * From results to what a user reads: the targets evaluated and the text tables
 * for the terminal (the HTML report is html.ts). Runtime-neutral (strings only).
 * @module
 */
import { HEAD_OF_LINE_HEADER, headOfLineRows, headOfLineTargets, headOfLineTitle } from './head-of-line-report.js';
import { ioTable, ioTargets, mixedTable } from './io-report.js';
import { queueTables, queueTargets } from './queue-report.js';
import type { Report, Result, Target } from './results.js';
import { fmt, ratio, textTable } from './stats.js';
import { summaryText } from './summary.js';

const ok = (r: Result) => !r.error && Number.isFinite(r.median);

function find(results: Result[], q: Partial<Result>): Result | undefined {
  return results.find((r) => ok(r) && Object.entries(q).every(([k, v]) => (r as unknown as Record<string, unknown>)[k] === v));
}

function target(t: Omit<Target, 'status' | 'value'> & { value: number }): Target {
  const status = !Number.isFinite(t.value) ? 'n/a' : (t.op === '>=' ? t.value >= t.threshold : t.value <= t.threshold) ? 'met' : 'missed';
  return { ...t, status };
}

/** The runtimes present in the results, in first-seen order. */
export function runtimesOf(results: Result[]): string[] {
  return [...new Set(results.map((r) => r.runtime))];
}

/**
 * Evaluate the targets on the results: every Offload backend against the
 * raw floor of its runtime and isolation, Node's backends against the fastest
 * peer of the same isolation, map chunking, time to first result, the
 * is_prime speedup with 2 workers against the raw floor's, and the
 * head-of-line figures against the best peer and the long task, and the
 * job-queue row's overhead and is_prime speedup (queue-report.ts).
 */
export function evaluateTargets(results: Result[]): Target[] {
  const out: Target[] = [];
  for (const runtime of runtimesOf(results)) {
    const backends = [...new Set(results.filter((r) => r.runtime === runtime && r.kind === 'offload').map((r) => r.backend))];
    for (const backend of backends) {
      const mine = results.find((r) => r.runtime === runtime && r.backend === backend);
      const isolation = mine?.isolation ?? 'thread';
      const raw = results.find((r) => r.runtime === runtime && r.kind === 'raw' && r.isolation === isolation)?.backend;
      const burst = find(results, { runtime, backend, scenario: 'burst' });
      const rawBurst = raw ? find(results, { runtime, backend: raw, scenario: 'burst' }) : undefined;
      const peers = results.filter((r) => r.runtime === runtime && r.scenario === 'burst' && r.kind === 'peer' && r.isolation === isolation && ok(r));
      const bestPeer = peers.sort((a, b) => b.median - a.median)[0];
      const peerFactor = isolation === 'thread' ? 3 : 1.25;
      if (runtime === 'node' && (burst || bestPeer)) {
        out.push(
          target({
            id: `${runtime}/${backend}/burst-vs-peer`,
            runtime,
            description: `${runtime} · ${backend} burst >= ${peerFactor}x the fastest ${isolation === 'thread' ? '' : 'process-based '}peer`,
            value: ratio(burst?.median, bestPeer?.median),
            threshold: peerFactor,
            op: '>=',
            detail: `${fmt(burst?.median)} vs ${bestPeer?.backend ?? 'no peer'} ${fmt(bestPeer?.median)} tasks/s`,
          }),
        );
      }
      if (burst || rawBurst) {
        out.push(
          target({
            id: `${runtime}/${backend}/burst-vs-raw`,
            runtime,
            description: `${runtime} · ${backend} burst >= 0.5x the raw floor (${raw ?? 'none'})`,
            value: ratio(burst?.median, rawBurst?.median),
            threshold: 0.5,
            op: '>=',
            detail: `${fmt(burst?.median)} vs ${fmt(rawBurst?.median)} tasks/s`,
          }),
        );
      }
      const sp = find(results, { runtime, backend, scenario: 'scaling', workload: 'is_prime', workers: 2 });
      const rawSp = raw ? find(results, { runtime, backend: raw, scenario: 'scaling', workload: 'is_prime', workers: 2 }) : undefined;
      if (sp || rawSp) {
        out.push(
          target({
            id: `${runtime}/${backend}/is_prime-speedup`,
            runtime,
            description: `${runtime} · ${backend} is_prime speedup with 2 workers >= 0.98x the raw-worker speedup`,
            value: ratio(sp?.speedup, rawSp?.speedup),
            threshold: 0.98,
            op: '>=',
            detail: `${fmt(sp?.speedup)}x vs ${fmt(rawSp?.speedup)}x`,
          }),
        );
      }
      const map = find(results, { runtime, backend, scenario: 'map' });
      const unchunked = find(results, { runtime, backend, scenario: 'map-unchunked' });
      if (map || unchunked) {
        out.push(
          target({
            id: `${runtime}/${backend}/map-chunking`,
            runtime,
            description: `${runtime} · ${backend} chunked map of ${fmt(map?.n)} items >= 20x per-task submission (map, chunkSize 1)`,
            value: ratio(map?.median, unchunked?.median),
            threshold: 20,
            op: '>=',
            detail: `${fmt(map?.median)} vs ${fmt(unchunked?.median)} items/s; vs the submit() burst ${fmt(burst?.median)} tasks/s: ${fmt(ratio(map?.median, burst?.median))}x`,
          }),
        );
      }
      const stream = find(results, { runtime, backend, scenario: 'stream' });
      const rawStream = raw ? find(results, { runtime, backend: raw, scenario: 'stream' }) : undefined;
      if (stream || rawStream) {
        out.push(
          target({
            id: `${runtime}/${backend}/stream-vs-raw`,
            runtime,
            description: `${runtime} · ${backend} stream items/s >= 0.5x a raw worker posting batches (${raw ?? 'none'})`,
            value: ratio(stream?.median, rawStream?.median),
            threshold: 0.5,
            op: '>=',
            detail: `${fmt(stream?.median)} vs ${fmt(rawStream?.median)} items/s`,
          }),
        );
      }
      const streamMemory = find(results, { runtime, backend, scenario: 'stream-memory' });
      if (streamMemory) {
        out.push(
          target({
            id: `${runtime}/${backend}/stream-memory`,
            runtime,
            description: `${runtime} · ${backend} memory stays flat (within 10 %) while a stream feeds a slow consumer`,
            value: streamMemory.median,
            threshold: 10,
            unit: '%',
            op: '<=',
            detail: `peak resident memory +${fmt(streamMemory.median)} % over the second half of ${fmt(streamMemory.n)} x 16 KB items`,
          }),
        );
      }
      const cold = find(results, { runtime, backend, scenario: 'cold-start' });
      const rawCold = raw ? find(results, { runtime, backend: raw, scenario: 'cold-start' }) : undefined;
      if (cold || rawCold) {
        out.push(
          target({
            id: `${runtime}/${backend}/cold-start`,
            runtime,
            description: `${runtime} · ${backend} time to first result <= the raw floor's + 10 ms`,
            value: cold && rawCold ? cold.median : Number.NaN,
            threshold: rawCold ? Number((rawCold.median + 10).toFixed(1)) : Number.NaN,
            op: '<=',
            unit: 'ms',
            detail: `${fmt(cold?.median)} ms vs ${raw ?? 'raw floor'} ${fmt(rawCold?.median)} ms`,
          }),
        );
      }
      out.push(...headOfLineTargets(results, runtime, backend));
    }
    out.push(...ioTargets(results, runtime));
  }
  out.push(...queueTargets(results));
  return out;
}

const range = (r: Result) => `${fmt(r.min)}-${fmt(r.max)}`;

/** Scaling tables like the seeds' Table 17-1: per runtime and workload, workers x backend -> time and speedup. */
export function scalingTables(results: Result[]): string[] {
  const out: string[] = [];
  for (const runtime of runtimesOf(results)) {
    const mine = results.filter((r) => r.runtime === runtime && (r.scenario === 'scaling' || r.scenario === 'scaling-warm' || r.scenario === 'sequential'));
    for (const workload of [...new Set(mine.map((r) => r.workload))]) {
      const rows = mine.filter((r) => r.workload === workload);
      const seq = rows.find((r) => r.scenario === 'sequential');
      const backends = [...new Set(rows.filter((r) => r.scenario === 'scaling').map((r) => r.backend))];
      const workers = [...new Set(rows.filter((r) => r.scenario === 'scaling').map((r) => r.workers))].sort((a, b) => a - b);
      const body: string[][] = [];
      if (seq) body.push(['sequential', `${fmt(seq.median)} ms  1.00x`, ...backends.map(() => '')]);
      const cell = (scenario: Result['scenario'], w: number) => (b: string) => {
        const r = rows.find((x) => x.backend === b && x.workers === w && x.scenario === scenario);
        if (!r) return '';
        if (r.error) return 'error';
        return `${fmt(r.median)} ms  ${fmt(r.speedup, 3)}x`;
      };
      const warm = rows.some((r) => r.scenario === 'scaling-warm');
      for (const w of workers) {
        const label = `${w} worker${w > 1 ? 's' : ''}`;
        body.push([warm ? `${label}, cold` : label, '', ...backends.map(cell('scaling', w))]);
        if (rows.some((r) => r.scenario === 'scaling-warm' && r.workers === w)) body.push([`${label}, warm`, '', ...backends.map(cell('scaling-warm', w))]);
      }
      out.push(
        `${runtime} · ${workload}${seq?.note ? ` (${seq.note})` : ''}: time (median) and speedup; cold: the pool is created and closed in the sample (what a script that starts its own pool pays); warm: a started pool\n${textTable(['workers', 'main-thread', ...backends], body)}`,
      );
    }
  }
  return out;
}

/** Burst, ping-pong, cold start, map and memory tables with ratios to the best peer and the raw floor. */
export function overheadTables(results: Result[]): string[] {
  const out: string[] = [];
  for (const runtime of runtimesOf(results)) {
    const of = (scenario: Result['scenario']) => results.filter((r) => r.runtime === runtime && r.scenario === scenario);
    const bestPeer = (rows: Result[], iso: string) =>
      rows
        .filter((r) => r.kind === 'peer' && r.isolation === iso && ok(r) && !r.withinNoise)
        .sort((a, b) => (a.better === 'higher' ? b.median - a.median : a.median - b.median))[0];
    const rawOf = (rows: Result[], iso: string) => rows.find((r) => r.kind === 'raw' && r.isolation === iso && ok(r) && !r.withinNoise);
    const section = (scenario: Result['scenario'], title: string) => {
      const rows = of(scenario);
      if (rows.length === 0) return;
      const body = rows.map((r) => {
        const peer = bestPeer(rows, r.isolation);
        const raw = rawOf(rows, r.isolation);
        const vs = (o: Result | undefined) => {
          // A figure within its noise says nothing: no ratio of it, nor against it.
          if (!o || !ok(r) || o === r || r.withinNoise || o.withinNoise) return '';
          return `${fmt(r.better === 'higher' ? r.median / o.median : o.median / r.median, 3)}x`;
        };
        const figure = r.error ? `error: ${r.error.slice(0, 100)}` : r.withinNoise ? `within noise (<= ${fmt(r.noise)})` : fmt(r.median);
        return [r.backend, r.kind, r.isolation, figure, ok(r) ? range(r) : '', vs(peer), vs(raw)];
      });
      const unit = rows[0].unit;
      out.push(`${runtime} · ${title}\n${textTable(['backend', 'kind', 'isolation', unit, 'min-max', 'vs best peer', 'vs raw'], body)}`);
    };
    section('burst', `burst of ${fmt(of('burst')[0]?.n)} trivial tasks (throughput; ratios > 1 are better)`);
    section('pingpong', 'ping-pong latency per round trip (ratios > 1 are better)');
    section('cold-start', 'time to first result from a cold executor (ratios > 1 are better)');
    const hol = headOfLineTitle(results, runtime);
    if (hol) out.push(`${hol}\n${textTable(HEAD_OF_LINE_HEADER, headOfLineRows(results, runtime))}`);
    section('stream', `stream of ${fmt(of('stream')[0]?.n)} small items from a generator task (items/s; ratios > 1 are better)`);
    section('stream-memory', `resident memory growth while ${fmt(of('stream-memory')[0]?.n)} x 16 KB items stream to a slow consumer (%)`);
    const maps = [...of('map'), ...of('map-unchunked')];
    if (maps.length) {
      const body = maps.map((r) => {
        const burst = of('burst').find((b) => b.backend === r.backend);
        return [
          r.backend,
          r.note ?? '',
          fmt(r.n),
          r.error ? 'error' : fmt(r.median),
          ok(r) ? range(r) : '',
          burst ? `${fmt(ratio(r.median, burst.median))}x` : '',
        ];
      });
      out.push(`${runtime} · map throughput\n${textTable(['backend', 'mode', 'items', 'items/s', 'min-max', 'vs submit burst'], body)}`);
    }
    const mem = of('memory')[0];
    section('memory', `idle memory per worker (MB, ${fmt(mem?.workers)} workers; noise floor ${fmt(mem?.noise)} MB per worker; ratios > 1 are better)`);
    const ioText = ioTable(results, runtime, textTable);
    if (ioText) out.push(ioText);
    const mixedText = mixedTable(results, runtime, textTable);
    if (mixedText) out.push(mixedText);
  }
  return out;
}

/** The unit suffix of a target's figures. */
/** How a target's value and threshold are printed: `1.2x`, `35 ms`, `4.1 %`. */
export const targetUnit = (t: Target): string => (t.unit === 'ms' ? ' ms' : t.unit === '%' ? ' %' : 'x');

/** The targets as text, one per line, each marked met or missed. */
export function targetsText(targets: Target[]): string {
  if (targets.length === 0) return 'targets: none evaluated';
  const body = targets.map((t) => [
    t.status === 'met' ? 'MET' : t.status === 'missed' ? 'MISSED' : 'n/a',
    t.description,
    Number.isFinite(t.value) ? `${fmt(t.value)}${targetUnit(t)}` : '-',
    `${t.op} ${fmt(t.threshold)}${targetUnit(t)}`,
    t.detail,
  ]);
  return `targets\n${textTable(['status', 'target', 'measured', 'needed', 'figures'], body)}`;
}

/** The tables of every runtime (scaling, then overhead and memory), as text. */
export function tablesText(results: Result[]): string[] {
  return runtimesOf(results).flatMap((rt) => {
    const mine = results.filter((r) => r.runtime === rt);
    return [...scalingTables(mine), ...overheadTables(mine), ...queueTables(mine)];
  });
}

/** The machine and runtimes of a report, on one line. */
export function machineLine(report: Report): string {
  const m = report.machine;
  const runtimes = Object.entries(m.runtimes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${m.cpuModel} · ${m.cores} cores (parallelism ${m.availableParallelism}) · ${m.memoryGB} GB · ${runtimes}`;
}

/** Everything printed to the terminal: the tables, the targets, the notes, and last (where a terminal leaves the eye) the summary. */
export function renderText(report: Report): string {
  const smoke =
    report.mode === 'smoke' ? ['smoke run: tiny sizes, no warm-up, one sample; the figures check the pipeline and say nothing about the targets.'] : [];
  return [
    `Offload bench (${report.mode}) · ${machineLine(report)}`,
    ...tablesText(report.results),
    targetsText(report.targets),
    ...smoke,
    ...report.notes.map((n) => `note: ${n}`),
    summaryText(report.results, report.machine),
  ].join('\n\n');
}
