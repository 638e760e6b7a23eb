/**
 * From results to what a user reads: the targets (issues 4 and 9) evaluated, text
 * tables for the terminal, and a self-contained HTML report with charts.
 * Runtime-neutral (strings only); the caller passes chart.js's UMD source.
 * @module
 */
import { HEAD_OF_LINE_HEADER, headOfLineRows, headOfLineTargets, headOfLineTitle } from './head-of-line-report.js';
import { ioTable, ioTargets, mixedTable } from './io-report.js';
import type { Report, Result, Target } from './results.js';
import { fmt, ratio } from './stats.js';

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
 * is_prime speedup with 2 workers against the raw floor's, and (issue 9) the
 * head-of-line figures against the best peer and the long task.
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
            description: `${runtime} · ${backend} time to first result <= raw floor + 10 ms`,
            value: cold && rawCold ? cold.median - rawCold.median : Number.NaN,
            threshold: 10,
            op: '<=',
            unit: 'ms',
            detail: `${fmt(cold?.median)} ms vs ${fmt(rawCold?.median)} ms (margin in ms)`,
          }),
        );
      }
      out.push(...headOfLineTargets(results, runtime, backend));
    }
    out.push(...ioTargets(results, runtime));
  }
  return out;
}

/** A plain text table with right-aligned numeric columns. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? (c ?? '').padEnd(widths[i]) : (c ?? '').padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const range = (r: Result) => `${fmt(r.min)}-${fmt(r.max)}`;

/** Scaling tables like the seeds' Table 17-1: per runtime and workload, workers x backend -> time and speedup. */
export function scalingTables(results: Result[]): string[] {
  const out: string[] = [];
  for (const runtime of runtimesOf(results)) {
    const mine = results.filter((r) => r.runtime === runtime && (r.scenario === 'scaling' || r.scenario === 'sequential'));
    for (const workload of [...new Set(mine.map((r) => r.workload))]) {
      const rows = mine.filter((r) => r.workload === workload);
      const seq = rows.find((r) => r.scenario === 'sequential');
      const backends = [...new Set(rows.filter((r) => r.scenario === 'scaling').map((r) => r.backend))];
      const workers = [...new Set(rows.filter((r) => r.scenario === 'scaling').map((r) => r.workers))].sort((a, b) => a - b);
      const body: string[][] = [];
      if (seq) body.push(['sequential', `${fmt(seq.median)} ms  1.00x`, ...backends.map(() => '')]);
      for (const w of workers) {
        body.push([
          `${w} worker${w > 1 ? 's' : ''}`,
          '',
          ...backends.map((b) => {
            const r = rows.find((x) => x.backend === b && x.workers === w && x.scenario === 'scaling');
            if (!r) return '';
            if (r.error) return 'error';
            return `${fmt(r.median)} ms  ${fmt(r.speedup, 3)}x`;
          }),
        ]);
      }
      out.push(
        `${runtime} · ${workload}${seq?.note ? ` (${seq.note})` : ''}: time (median) and speedup\n${textTable(['workers', 'main-thread', ...backends], body)}`,
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
        .filter((r) => r.kind === 'peer' && r.isolation === iso && ok(r))
        .sort((a, b) => (a.better === 'higher' ? b.median - a.median : a.median - b.median))[0];
    const rawOf = (rows: Result[], iso: string) => rows.find((r) => r.kind === 'raw' && r.isolation === iso && ok(r));
    const section = (scenario: Result['scenario'], title: string) => {
      const rows = of(scenario);
      if (rows.length === 0) return;
      const body = rows.map((r) => {
        const peer = bestPeer(rows, r.isolation);
        const raw = rawOf(rows, r.isolation);
        const vs = (o: Result | undefined) => {
          if (!o || !ok(r) || o === r) return '';
          return `${fmt(r.better === 'higher' ? r.median / o.median : o.median / r.median, 3)}x`;
        };
        return [r.backend, r.kind, r.isolation, r.error ? `error: ${r.error.slice(0, 60)}` : fmt(r.median), ok(r) ? range(r) : '', vs(peer), vs(raw)];
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
    section('memory', 'idle memory per worker (MB)');
    const ioText = ioTable(results, runtime, textTable);
    if (ioText) out.push(ioText);
    const mixedText = mixedTable(results, runtime, textTable);
    if (mixedText) out.push(mixedText);
  }
  return out;
}

/** The unit suffix of a target's figures. */
const unitOf = (t: Target) => (t.unit === 'ms' ? ' ms' : 'x');

/** The targets as text, one per line, each marked met or missed. */
export function targetsText(targets: Target[]): string {
  if (targets.length === 0) return 'targets: none evaluated';
  const body = targets.map((t) => [
    t.status === 'met' ? 'MET' : t.status === 'missed' ? 'MISSED' : 'n/a',
    t.description,
    Number.isFinite(t.value) ? `${fmt(t.value)}${unitOf(t)}` : '-',
    `${t.op} ${fmt(t.threshold)}${unitOf(t)}`,
    t.detail,
  ]);
  return `targets\n${textTable(['status', 'target', 'measured', 'needed', 'figures'], body)}`;
}

/** Everything printed to the terminal. */
export function renderText(report: Report): string {
  const m = report.machine;
  const head = `Offload bench (${report.mode}) · ${m.cpuModel} · ${m.cores} cores (parallelism ${m.availableParallelism}) · ${m.memoryGB} GB · ${Object.entries(
    m.runtimes,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`;
  const perRuntime = runtimesOf(report.results).flatMap((rt) => {
    const mine = report.results.filter((r) => r.runtime === rt);
    return [...scalingTables(mine), ...overheadTables(mine)];
  });
  const smoke =
    report.mode === 'smoke' ? ['smoke run: tiny sizes, no warm-up, one sample; the figures check the pipeline and say nothing about the targets.'] : [];
  return [head, ...perRuntime, targetsText(report.targets), ...smoke, ...report.notes.map((n) => `note: ${n}`)].join('\n\n');
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** JSON safe inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * A self-contained report.html: chart.js inlined (`chartJs` is the source of
 * its UMD build), the results embedded, charts of speedup vs workers per
 * backend and of throughput vs peers, and the text tables.
 */
export function renderHtml(report: Report, chartJs: string): string {
  const m = report.machine;
  const targets = report.targets
    .map(
      (t) =>
        `<tr class="${t.status === 'met' ? 'met' : t.status === 'missed' ? 'missed' : ''}"><td>${t.status}</td><td>${esc(t.description)}</td><td>${fmt(t.value)}${unitOf(t)}</td><td>${t.op} ${fmt(t.threshold)}${unitOf(t)}</td><td>${esc(t.detail)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Offload bench report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1, h2 { font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 1.5em; }
.chart { border: 1px solid #ddd; padding: .5em; border-radius: 6px; }
table { border-collapse: collapse; } td, th { padding: .2em .6em; border-bottom: 1px solid #eee; text-align: left; }
tr.met td:first-child { color: #080; font-weight: 600; } tr.missed td:first-child { color: #b00; font-weight: 600; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 12px; }
</style>
</head>
<body>
<h1>Offload bench report</h1>
<p id="machine">${esc(report.mode)} run, ${esc(report.createdAt)} · ${esc(m.cpuModel)} · ${m.cores} cores · ${m.memoryGB} GB · ${esc(
    Object.entries(m.runtimes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  )}</p>
<h2>Targets</h2>
<table id="targets"><tr><th>status</th><th>target</th><th>measured</th><th>needed</th><th>figures</th></tr>
${targets}
</table>
<h2>Speedup vs workers</h2>
<div class="charts" id="speedup"></div>
<h2>Throughput and latency vs peers</h2>
<div class="charts" id="peers"></div>
<h2>Tables</h2>
<pre>${esc(renderText(report))}</pre>
<script>${chartJs.replace(/<\/script/gi, '<\\/script')}</script>
<script id="results" type="application/json">${scriptJson(report)}</script>
<script>
(function () {
  var report = JSON.parse(document.getElementById('results').textContent);
  var results = report.results.filter(function (r) { return !r.error && isFinite(r.median); });
  var palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  function uniq(a) { return a.filter(function (x, i) { return a.indexOf(x) === i; }); }
  function chart(parent, title, config) {
    var box = document.createElement('div'); box.className = 'chart';
    var canvas = document.createElement('canvas'); box.appendChild(canvas);
    document.getElementById(parent).appendChild(box);
    config.options = config.options || {}; config.options.animation = false; config.options.plugins = Object.assign({ title: { display: true, text: title } }, config.options.plugins || {});
    if (window.Chart) new Chart(canvas, config);
  }
  var runtimes = uniq(results.map(function (r) { return r.runtime; }));
  // Overview: every Offload backend's burst beside the fastest peer and the raw floor of its runtime and isolation.
  var bursts = results.filter(function (r) { return r.scenario === 'burst'; });
  var mine = bursts.filter(function (r) { return r.kind === 'offload'; });
  if (mine.length) {
    var best = function (r, kind) {
      return bursts.filter(function (x) { return x.runtime === r.runtime && x.kind === kind && x.isolation === r.isolation; })
        .reduce(function (a, x) { return a && a.median >= x.median ? a : x; }, null);
    };
    chart('peers', 'burst throughput (tasks/s): Offload vs the fastest peer vs the raw floor', { type: 'bar',
      data: { labels: mine.map(function (r) { return r.runtime + ' · ' + r.backend; }), datasets: [
        { label: 'Offload', backgroundColor: '#1f77b4', data: mine.map(function (r) { return r.median; }) },
        { label: 'fastest peer', backgroundColor: '#ff7f0e', data: mine.map(function (r) { var p = best(r, 'peer'); return p ? p.median : null; }) },
        { label: 'raw floor', backgroundColor: '#7f7f7f', data: mine.map(function (r) { var p = best(r, 'raw'); return p ? p.median : null; }) }] },
      options: { scales: { y: { beginAtZero: true } } } });
  }
  runtimes.forEach(function (rt) {
    var scaling = results.filter(function (r) { return r.runtime === rt && r.scenario === 'scaling'; });
    uniq(scaling.map(function (r) { return r.workload; })).forEach(function (wl) {
      var rows = scaling.filter(function (r) { return r.workload === wl; });
      var workers = uniq(rows.map(function (r) { return r.workers; })).sort(function (a, b) { return a - b; });
      var datasets = uniq(rows.map(function (r) { return r.backend; })).map(function (b, i) {
        return { label: b, borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length],
          data: workers.map(function (w) { var r = rows.find(function (x) { return x.backend === b && x.workers === w; }); return r ? r.speedup : null; }) };
      });
      datasets.push({ label: 'ideal', borderDash: [4, 4], borderColor: '#aaa', data: workers.map(function (w) { return w; }) });
      chart('speedup', rt + ' · ' + wl + ': speedup vs workers', { type: 'line', data: { labels: workers, datasets: datasets },
        options: { scales: { x: { title: { display: true, text: 'workers' } }, y: { beginAtZero: true, title: { display: true, text: 'speedup (sequential / time)' } } } } });
    });
    [['burst', 'burst throughput'], ['map', 'chunked map throughput'], ['pingpong', 'ping-pong latency'], ['cold-start', 'time to first result'], ['memory', 'idle memory per worker'], ['io', 'flags download: sequential, Promise.all, InlineExecutor, workers'], ['mixed', 'event-loop lag p99 with CPU work inline (main-thread) vs offloaded']].forEach(function (s) {
      var rows = results.filter(function (r) { return r.runtime === rt && r.scenario === s[0]; });
      if (!rows.length) return;
      var colors = { offload: '#1f77b4', peer: '#ff7f0e', raw: '#7f7f7f' };
      chart('peers', rt + ' · ' + s[1] + ' (' + rows[0].unit + ', ' + rows[0].better + ' is better)', { type: 'bar',
        data: { labels: rows.map(function (r) { return r.backend; }), datasets: [{ label: rows[0].unit, data: rows.map(function (r) { return r.median; }),
          backgroundColor: rows.map(function (r) { return colors[r.kind] || '#999'; }) }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } } });
    });
    // Head-of-line: the last short task of each variant per backend (the long task's own finish is in the tables).
    var hol = results.filter(function (r) { return r.runtime === rt && r.scenario === 'head-of-line'; });
    if (hol.length) {
      var names = uniq(hol.map(function (r) { return r.backend; }));
      chart('peers', rt + ' · head-of-line: last short task done (ms after submitting the ' + hol[0].longMs + ' ms task; lower is better)', { type: 'bar',
        data: { labels: names, datasets: uniq(hol.map(function (r) { return r.workload; })).map(function (v, i) {
          return { label: v, backgroundColor: palette[i % palette.length],
            data: names.map(function (b) { var r = hol.find(function (x) { return x.backend === b && x.workload === v; }); return r ? r.median : null; }) };
        }) },
        options: { scales: { y: { beginAtZero: true } } } });
    }
  });
})();
</script>
</body>
</html>
`;
}
