/**
 * The self-contained report.html: the summary first (which backend, and by how
 * much), then the charts, the tables, and the targets last. Runtime-neutral
 * (strings only); the caller passes chart.js's UMD source.
 * @module
 */
import { machineLine, tablesText, targetUnit } from './report.js';
import type { Report } from './results.js';
import { fmt } from './stats.js';
import { recommend, slowdowns } from './summary.js';

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
  const targets = report.targets
    .map(
      (t) =>
        `<tr class="${t.status === 'met' ? 'met' : t.status === 'missed' ? 'missed' : ''}"><td>${t.status}</td><td>${esc(t.description)}</td><td>${Number.isFinite(t.value) ? `${fmt(t.value)}${targetUnit(t)}` : '-'}</td><td>${t.op} ${fmt(t.threshold)}${targetUnit(t)}</td><td>${esc(t.detail)}</td></tr>`,
    )
    .join('\n');
  const recs = recommend(report.results);
  const why = slowdowns(report.results, report.machine);
  const summary = `${
    recs.length
      ? `<div class="scroll"><table id="summary"><tr><th>runtime</th><th>for</th><th>use</th><th>because (this run)</th></tr>\n${recs
          .map((r) => `<tr><td>${esc(r.runtime)}</td><td>${esc(r.use)}</td><td><b>${esc(r.backend)}</b></td><td>${esc(r.figure)}</td></tr>`)
          .join('\n')}\n</table></div>`
      : '<p id="summary">This run has no figure to recommend a backend from (run the scaling, burst, map or io scenarios).</p>'
  }${why.length ? `\n<h3>Speedups below 1</h3>\n<ul id="slowdowns">${why.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}`;
  const notes = report.notes.length ? `<h2>Notes</h2>\n<ul id="notes">${report.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Offload bench report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1, h2 { font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(480px, 100%), 1fr)); gap: 1.5em; }
.chart { border: 1px solid #ddd; padding: .5em; border-radius: 6px; min-width: 0; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; } td, th { padding: .2em .6em; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
#summary td:last-child, #targets td:last-child { min-width: 24em; }
tr.met td:first-child { color: #080; font-weight: 600; } tr.missed td:first-child { color: #b00; font-weight: 600; }
pre { background: #f6f6f6; padding: 1em; font-size: 12px; margin: 0; }
</style>
</head>
<body>
<h1>Offload bench report</h1>
<p id="machine">${esc(report.mode)} run, ${esc(report.createdAt)} · ${esc(machineLine(report))}</p>
<h2>Summary: which backend to use</h2>
${summary}
<h2>Speedup vs workers</h2>
<p>Speedup over the main thread per worker count: cold (the pool is created, runs the workload and is closed in the sample: what a script that starts its own pool pays) beside warm (a started pool), with the ideal (the worker count) as a line.</p>
<div class="charts" id="speedup"></div>
<h2>Throughput and latency vs peers</h2>
<div class="charts" id="peers"></div>
<h2>Tables</h2>
<div class="scroll"><pre>${esc(tablesText(report.results).join('\n\n'))}</pre></div>
<h2>Targets</h2>
<div class="scroll"><table id="targets"><tr><th>status</th><th>target</th><th>measured</th><th>needed</th><th>figures</th></tr>
${targets}
</table></div>
${notes}
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
    var scaling = results.filter(function (r) { return r.runtime === rt && (r.scenario === 'scaling' || r.scenario === 'scaling-warm'); });
    uniq(scaling.map(function (r) { return r.workload; })).forEach(function (wl) {
      // Bars per worker count (readable with 2 workers, and with 64), cold and warm per backend; the ideal and 1x as lines.
      var rows = scaling.filter(function (r) { return r.workload === wl; });
      var workers = uniq(rows.map(function (r) { return r.workers; })).sort(function (a, b) { return a - b; });
      var datasets = [];
      uniq(rows.map(function (r) { return r.backend; })).forEach(function (b, i) {
        var color = palette[i % palette.length];
        [['scaling', 'cold', color], ['scaling-warm', 'warm', color + '88']].forEach(function (s) {
          if (!rows.some(function (x) { return x.backend === b && x.scenario === s[0]; })) return;
          datasets.push({ type: 'bar', label: b + ' (' + s[1] + ')', backgroundColor: s[2], borderColor: color, borderWidth: 1,
            data: workers.map(function (w) { var r = rows.find(function (x) { return x.backend === b && x.workers === w && x.scenario === s[0]; }); return r && r.speedup != null ? r.speedup : null; }) });
        });
      });
      datasets.push({ type: 'line', label: 'ideal (= workers)', borderDash: [6, 4], borderColor: '#555', pointRadius: 0, fill: false, data: workers.slice() });
      datasets.push({ type: 'line', label: 'main thread (1x)', borderDash: [2, 3], borderColor: '#b00', pointRadius: 0, fill: false, data: workers.map(function () { return 1; }) });
      chart('speedup', rt + ' · ' + wl + ': speedup over the main thread (higher is better)', { type: 'bar',
        data: { labels: workers.map(function (w) { return w + (w > 1 ? ' workers' : ' worker'); }), datasets: datasets },
        options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'speedup (sequential / time)' } } } } });
    });
    [['burst', 'burst throughput'], ['map', 'chunked map throughput'], ['pingpong', 'ping-pong latency'], ['cold-start', 'time to first result'], ['memory', 'idle memory per worker'], ['io', 'flags download: sequential, Promise.all, InlineExecutor, workers'], ['mixed', 'event-loop lag p99 with CPU work inline (main-thread) vs offloaded']].forEach(function (s) {
      var rows = results.filter(function (r) { return r.runtime === rt && r.scenario === s[0] && !r.withinNoise; });
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
