import { describe, expect, it } from 'vitest';
import { renderHtml } from '../src/html.js';
import { evaluateTargets, overheadTables, renderText, scalingTables, targetsText } from '../src/report.js';
import type { Report, Result } from '../src/results.js';
import { summarize } from '../src/stats.js';

const r = (o: Partial<Result> & Pick<Result, 'scenario' | 'backend' | 'kind'>, samples: number[]): Result => ({
  runtime: 'node',
  isolation: 'thread',
  workload: 'add',
  workers: 2,
  n: 1,
  unit: 'tasks/s',
  better: 'higher',
  ...summarize(samples),
  ...o,
});

const results: Result[] = [
  r(
    {
      scenario: 'sequential',
      backend: 'main-thread',
      kind: 'baseline',
      isolation: 'none',
      workload: 'is_prime',
      workers: 1,
      unit: 'ms',
      better: 'lower',
      speedup: 1,
    },
    [400],
  ),
  r({ scenario: 'scaling', backend: 'node-worker', kind: 'offload', workload: 'is_prime', workers: 1, unit: 'ms', better: 'lower', speedup: 0.8 }, [500]),
  r({ scenario: 'scaling', backend: 'node-worker', kind: 'offload', workload: 'is_prime', workers: 2, unit: 'ms', better: 'lower', speedup: 1.6 }, [250]),
  r({ scenario: 'scaling', backend: 'raw-postMessage', kind: 'raw', workload: 'is_prime', workers: 2, unit: 'ms', better: 'lower', speedup: 1.7 }, [235]),
  r({ scenario: 'burst', backend: 'node-worker', kind: 'offload' }, [200_000, 190_000, 210_000]),
  r({ scenario: 'burst', backend: 'tinypool', kind: 'peer' }, [20_000]),
  r({ scenario: 'burst', backend: 'piscina', kind: 'peer' }, [30_000]),
  r({ scenario: 'burst', backend: 'tinypool-child_process', kind: 'peer', isolation: 'process' }, [90_000]),
  r({ scenario: 'burst', backend: 'raw-postMessage', kind: 'raw' }, [250_000]),
  r({ scenario: 'map', backend: 'node-worker', kind: 'offload', n: 1_000_000, unit: 'items/s' }, [2_000_000]),
  r({ scenario: 'map-unchunked', backend: 'node-worker', kind: 'offload', unit: 'items/s' }, [80_000]),
  r({ scenario: 'cold-start', backend: 'node-worker', kind: 'offload', unit: 'ms', better: 'lower' }, [50]),
  r({ scenario: 'cold-start', backend: 'raw-postMessage', kind: 'raw', unit: 'ms', better: 'lower' }, [45]),
  r({ scenario: 'burst', backend: 'deno-bun', kind: 'offload', runtime: 'deno' }, [10]),
];

const report: Report = {
  schema: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  mode: 'quick',
  machine: { cpuModel: 'Test CPU', cores: 2, availableParallelism: 2, memoryGB: 4, platform: 'test', arch: 'x64', runtimes: { node: '20' } },
  options: {},
  results,
  targets: evaluateTargets(results),
  notes: ['a note'],
};

describe('targets', () => {
  const t = (id: string) => report.targets.find((x) => x.id === id);

  it('compares the burst with the fastest peer of the same isolation and with the raw floor', () => {
    expect(t('node/node-worker/burst-vs-peer')).toMatchObject({ value: 200_000 / 30_000, status: 'met' });
    expect(t('node/node-worker/burst-vs-raw')).toMatchObject({ value: 0.8, status: 'met' });
  });

  it('compares speedups, map chunking and time to first result', () => {
    expect(t('node/node-worker/is_prime-speedup')?.status).toBe('missed');
    expect(t('node/node-worker/is_prime-speedup')?.value).toBeCloseTo(1.6 / 1.7);
    expect(t('node/node-worker/map-chunking')).toMatchObject({ value: 25, status: 'met' });
    expect(t('node/node-worker/cold-start')).toMatchObject({ value: 50, threshold: 55, op: '<=', unit: 'ms', status: 'met' });
  });

  it('prints the time to first result and its bound, never a negative margin, when the backend beats its floor', () => {
    const faster = evaluateTargets([
      r({ scenario: 'cold-start', backend: 'node-worker', kind: 'offload', unit: 'ms', better: 'lower' }, [20]),
      r({ scenario: 'cold-start', backend: 'raw-postMessage', kind: 'raw', unit: 'ms', better: 'lower' }, [117.9]),
    ]).find((x) => x.id === 'node/node-worker/cold-start');
    expect(faster).toMatchObject({ value: 20, threshold: 127.9, status: 'met' });
    expect(targetsText(faster ? [faster] : [])).toMatch(/MET\s+node · node-worker time to first result.*20 ms\s+<= 128 ms/);
  });

  it('prints the stream memory target as a percentage of growth, not a ratio', () => {
    const [memory] = evaluateTargets([
      r({ scenario: 'stream-memory', backend: 'node-worker', kind: 'offload', unit: '%', better: 'lower', n: 2000 }, [0.732]),
    ]).filter((x) => x.id === 'node/node-worker/stream-memory');
    expect(memory).toMatchObject({ value: 0.732, threshold: 10, unit: '%', status: 'met' });
    const line = targetsText(memory ? [memory] : []);
    expect(line).toMatch(/0\.732 %\s+<= 10 %/);
    expect(line).not.toMatch(/\dx/);
  });

  it('marks a target without its floor n/a', () => {
    expect(t('deno/deno-bun/burst-vs-raw')?.status).toBe('n/a');
  });
});

describe('report', () => {
  it('prints a Table 17-1 style scaling table', () => {
    const [table] = scalingTables(results);
    expect(table).toContain('node · is_prime');
    expect(table).toMatch(/sequential\s+400 ms\s+1\.00x/);
    expect(table).toMatch(/2 workers.*250 ms\s+1\.6x.*235 ms\s+1\.7x/);
  });

  it('prints every target as MET, MISSED or n/a', () => {
    const text = renderText(report);
    expect(text).toContain('Test CPU');
    expect(text).toMatch(/MET\s+node · node-worker burst >= 3x/);
    expect(text).toMatch(/MISSED\s+node · node-worker is_prime speedup/);
    expect(text).toContain('note: a note');
  });

  it('prints the warm-pool scaling beside the cold one', () => {
    const warm = r(
      { scenario: 'scaling-warm', backend: 'node-worker', kind: 'offload', workload: 'is_prime', workers: 2, unit: 'ms', better: 'lower', speedup: 1.9 },
      [210],
    );
    const [table] = scalingTables([...results, warm]);
    expect(table).toMatch(/2 workers, cold.*250 ms\s+1\.6x/);
    expect(table).toMatch(/2 workers, warm.*210 ms\s+1\.9x/);
  });

  it('ends the terminal output with the summary, and names no internal issue anywhere', () => {
    const text = renderText(report);
    expect(text.slice(text.lastIndexOf('\n\nsummary: '))).toMatch(/^\n\nsummary: which backend to use[\s\S]*\n {2}CPU-bound work: node-worker\. /);
    const html = renderHtml(report, '');
    for (const out of [text, html]) expect(out).not.toMatch(/issue\s*#?\d/i);
  });

  it('opens the HTML with the summary, then the charts and tables, and puts the targets last', () => {
    const html = renderHtml(report, '');
    const at = (s: string) => html.indexOf(s);
    expect(at('<h2>Summary: which backend to use</h2>')).toBeGreaterThan(0);
    expect(at('<table id="summary">')).toBeGreaterThan(at('<h2>Summary'));
    expect(at('<h2>Speedup vs workers</h2>')).toBeGreaterThan(at('<table id="summary">'));
    expect(at('<h2>Tables</h2>')).toBeGreaterThan(at('<h2>Speedup vs workers</h2>'));
    expect(at('<h2>Targets</h2>')).toBeGreaterThan(at('<h2>Tables</h2>'));
    expect(html).toMatch(/<td>CPU-bound work<\/td><td><b>node-worker<\/b><\/td><td>is_prime: 1\.6x the main thread with 2 workers/);
    // Wide tables scroll inside their box instead of running off the page.
    expect(html).toMatch(/\.scroll \{ overflow-x: auto; max-width: 100%; \}/);
    expect(html).toMatch(/<div class="scroll"><pre>/);
    expect(html).toMatch(/<div class="scroll"><table id="targets">/);
    // Scaling charts: bars per worker count with the ideal as a line.
    expect(html).toContain("label: 'ideal (= workers)'");
    expect(html).toContain("type: 'bar', label: b + ' (' + s[1] + ')'");
  });

  it('puts the io and mixed tables in the scrolling box with the others, charts them, and opens with the I/O line', () => {
    const ms = { unit: 'ms', better: 'lower', isolation: 'none' } as const;
    const io = (backend: string, kind: Result['kind'], t: number) =>
      r({ scenario: 'io', backend, kind, workload: 'flags', n: 20, latencyMs: 100, concurrency: 20, speedup: 2100 / t, ...ms }, [t]);
    const lag = (backend: string, kind: Result['kind'], workload: string, v: number) => [
      r({ scenario: 'mixed', backend, kind, workload, note: 'event-loop lag p99; an I/O request every 10 ms; CPU inline', ...ms }, [v]),
      r({ scenario: 'mixed-io', backend, kind, workload, ...ms }, [v + 12]),
    ];
    const rows = [
      ...results,
      io('sequential', 'baseline', 2100),
      io('Promise.all', 'baseline', 110),
      io('inline', 'offload', 115),
      ...lag('main-thread', 'baseline', 'inline', 190),
      ...lag('node-worker', 'offload', 'offloaded', 0),
    ];
    const html = renderHtml({ ...report, results: rows, targets: evaluateTargets(rows) }, '');
    const box = html.slice(html.indexOf('<div class="scroll"><pre>'), html.indexOf('</pre></div>'));
    expect(box).toContain('node · io: download 20 flags, 100 ms latency each');
    expect(box).toContain('node · mixed: a loop answering requests');
    expect(html).toContain("['io', 'flags download: sequential, Promise.all, InlineExecutor, workers']");
    expect(html).toContain("['mixed', 'event-loop lag p99 with CPU work inline (main-thread) vs offloaded']");
    expect(html).toMatch(/<td>I\/O-bound work<\/td><td><b>InlineExecutor<\/b><\/td><td>115 ms for 20 flags at 100 ms: 18\.3x sequential/);
    expect(html.indexOf('<td>I/O-bound work</td>')).toBeLessThan(html.indexOf('<h2>Speedup vs workers</h2>'));
    expect(html).not.toMatch(/issue\s*#?\d/i);
  });

  it('flags an idle-memory figure within its noise and prints no ratio of it', () => {
    const mem = (backend: string, kind: Result['kind'], mb: number, withinNoise: boolean) =>
      r({ scenario: 'memory', backend, kind, workload: 'idle', workers: 4, unit: 'MB', better: 'lower', noise: 0.5, withinNoise }, [mb]);
    const text = overheadTables([mem('node-worker', 'offload', 0.2, true), mem('piscina', 'peer', 6, false), mem('raw-postMessage', 'raw', 5, false)]).join(
      '\n',
    );
    expect(text).toMatch(/node-worker\s+offload\s+thread\s+within noise \(<= 0\.5\)\s+0\.2-0\.2\s*$/m);
    expect(text).toMatch(/piscina\s+peer\s+thread\s+6\s+6-6\s+0\.833x\s*$/m);
    expect(text).toContain('noise floor 0.5 MB per worker');
  });

  it('renders a self-contained HTML with chart.js inlined and the results embedded', () => {
    const html = renderHtml({ ...report, notes: ['</script><b>x</b>'] }, 'window.Chart = function () {};');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('window.Chart = function () {};');
    expect(html).not.toMatch(/<script[^>]+src=/);
    const json = html.match(/<script id="results" type="application\/json">(.*?)<\/script>/s)?.[1];
    expect(JSON.parse(json ?? '')).toMatchObject({ schema: 1, notes: ['</script><b>x</b>'] });
    expect(html).not.toContain('<b>x</b>');
  });
});

describe('head-of-line target', () => {
  const hol = (backend: string, kind: Result['kind'], ms: number, o: Partial<Result> = {}): Result[] => [
    r({ scenario: 'head-of-line', backend, kind, workload: 'spin', n: 200, longMs: 1000, unit: 'ms', better: 'lower', ...o }, [ms]),
    r({ scenario: 'head-of-line-long', backend, kind, workload: 'spin', n: 1, longMs: 1000, unit: 'ms', better: 'lower', ...o }, [1005]),
  ];
  const rows = [
    ...hol('node-worker', 'offload', 1030),
    ...hol('child-process', 'offload', 280, { isolation: 'process' }),
    ...hol('tinypool', 'peer', 240),
    ...hol('piscina', 'peer', 300),
    ...hol('tinypool-child_process', 'peer', 260, { isolation: 'process' }),
    ...hol('raw-postMessage', 'raw', 210),
    ...hol('deno-bun', 'offload', 420, { runtime: 'deno' }),
    ...hol('raw-worker', 'raw', 215, { runtime: 'deno' }),
  ];
  const targets = evaluateTargets(rows);
  const t = (id: string) => targets.find((x) => x.id === id);

  it('needs the last short task within 1.25x the best peer of its isolation and within half the long task', () => {
    expect(t('node/node-worker/head-of-line-spin')).toMatchObject({ value: 1030, op: '<=', threshold: 300, unit: 'ms', status: 'missed' });
    expect(t('node/node-worker/head-of-line-spin')?.detail).toMatch(/tinypool 240 ms/);
    expect(t('node/child-process/head-of-line-spin')).toMatchObject({ value: 280, threshold: 325, status: 'met' });
  });

  it('without a peer, needs only half the long task', () => {
    expect(t('deno/deno-bun/head-of-line-spin')).toMatchObject({ value: 420, threshold: 500, status: 'met' });
    expect(t('deno/deno-bun/head-of-line-spin')?.detail).toMatch(/raw-worker 215 ms/);
  });

  it('is n/a when the backend has no figure', () => {
    const broken = evaluateTargets([...hol('tinypool', 'peer', 240), ...hol('node-worker', 'offload', Number.NaN, { error: 'Error: boom' })]);
    expect(broken.find((x) => x.id === 'node/node-worker/head-of-line-spin')?.status).toBe('n/a');
  });

  it('prints the head-of-line table and the target in ms', () => {
    const text = renderText({ ...report, results: rows, targets });
    expect(text).toMatch(/node · head-of-line/);
    expect(text).toMatch(/node-worker\s+offload\s+thread\s+spin\s+1,030\s+1,030-1,030\s+1,005/);
    expect(text).toMatch(/MISSED\s+node · node-worker head-of-line.*1,030 ms\s+<= 300 ms/);
    expect(renderHtml({ ...report, results: rows, targets }, '')).toContain('head-of-line: last short task done');
  });
});
