import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../src/adapter.js';
import { fetchFlag, flagUrls } from '../src/flags.js';
import { type FlagsServer, serveFlags } from '../src/flags-server.js';
import { ioTargets, mixedTable } from '../src/io-report.js';
import { driftLagProbe, type MixedSizes, mixedSample, percentile } from '../src/mixed.js';
import { lagOfHistogram, nodeLagProbe } from '../src/node.js';
import type { Result } from '../src/results.js';
import { planSteps, SIZES } from '../src/scenarios.js';
import { summarize, textTable } from '../src/stats.js';
import { spin } from '../src/workloads.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: FlagsServer;
beforeAll(async () => {
  server = await serveFlags({ latencyMs: 2, ports: 1 });
  // Load the HTTP client before any timing (Node loads undici on the first fetch).
  await fetchFlag(flagUrls(server.bases)[0]);
});
afterAll(() => server.close());

describe('lag probes', () => {
  it('percentile is the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([], 99)).toBeNaN();
  });

  it("monitorEventLoopDelay's figures less its resolution: an idle loop's 10 ms intervals are no lag", () => {
    const h = { percentile: (p: number) => (p === 99 ? 12.5e6 : 10.2e6), max: 40e6 };
    expect(lagOfHistogram(h, 10)).toEqual({ p99: 2.5, max: 30 });
    expect(lagOfHistogram({ percentile: () => 9.8e6, max: 9.9e6 }, 10)).toEqual({ p99: 0, max: 0 });
  });

  for (const [name, probe] of [
    ['setTimeout drift', driftLagProbe()],
    ['monitorEventLoopDelay', nodeLagProbe],
  ] as const) {
    it(`${name}: a blocked loop shows as lag as long as the block`, async () => {
      const monitor = probe();
      await sleep(30);
      spin(80);
      await sleep(30);
      const lag = monitor.stop();
      expect(lag.max).toBeGreaterThanOrEqual(60);
    });
  }
});

const tiny: MixedSizes = { durationMs: 300, ioEveryMs: 20, cpuEveryMs: 100, cpuMs: 60, workers: 1, sampling: { warmup: 0, samples: 1 } };

describe('mixed sample', () => {
  const urls = () => flagUrls(server.bases);
  const fetchOne = (k: number) => fetchFlag(urls()[k % 20]);

  it('takes I/O and CPU requests on schedule; CPU inline blocks the loop, CPU elsewhere does not', async () => {
    const inline = await mixedSample(tiny, driftLagProbe(), fetchOne, async (ms) => spin(ms));
    // Elsewhere: a stand-in for a worker, the CPU time passes off this loop.
    const away = await mixedSample(tiny, driftLagProbe(), fetchOne, (ms) => sleep(ms));
    for (const s of [inline, away]) {
      // Due at 0, 20, ..., 280 ms and at 50, 150, 250 ms: taken even when the loop is late.
      expect(s.ioRequests).toBe(15);
      expect(s.cpuRequests).toBe(3);
      expect(s.ioP99).toBeGreaterThan(0);
    }
    // Each block is seen, less the part of a probe interval that had passed when it began.
    expect(inline.lagMax).toBeGreaterThanOrEqual(tiny.cpuMs - 10 - 1);
    expect(inline.lagP99).toBeGreaterThan(away.lagP99);
  });

  it('rejects when a request fails', async () => {
    await expect(
      mixedSample(
        tiny,
        driftLagProbe(),
        async () => Promise.reject(new Error('upstream down')),
        async () => 0,
      ),
    ).rejects.toThrow('upstream down');
  });
});

describe('mixed step, table and target', () => {
  it('measures CPU inline (main-thread), on each Offload backend and on each raw floor, two rows each', async () => {
    const created: number[] = [];
    const sleeper: Adapter = {
      name: 'sleeper',
      kind: 'offload',
      isolation: 'thread',
      create(workers) {
        created.push(workers);
        return { run: async (task, arg) => (task === 'spin' ? sleep(arg as number).then(() => arg) : undefined), close: async () => {} };
      },
    };
    const raw: Adapter = { ...sleeper, name: 'raw', kind: 'raw' };
    const peer: Adapter = { ...sleeper, name: 'peer', kind: 'peer' };
    const steps = planSteps({
      runtime: 'test',
      sizes: { ...SIZES.smoke, mixed: tiny },
      workloads: [],
      scaling: [],
      adapters: [sleeper, raw, peer],
      workerCounts: [1],
      maxWorkers: 2,
      scenarios: ['mixed'],
      io: server,
    });
    expect(steps).toHaveLength(1);
    const rows = await steps[0].run();
    expect(created).toEqual([1, 1]);
    expect(rows.map((r) => [r.scenario, r.backend, r.workload])).toEqual([
      ['mixed', 'main-thread', 'inline'],
      ['mixed-io', 'main-thread', 'inline'],
      ['mixed', 'sleeper', 'offloaded'],
      ['mixed-io', 'sleeper', 'offloaded'],
      ['mixed', 'raw', 'offloaded'],
      ['mixed-io', 'raw', 'offloaded'],
    ]);
    for (const r of rows) expect(r.error).toBeUndefined();
    expect(rows[0].median).toBeGreaterThan(rows[2].median);
  });

  const r = (scenario: Result['scenario'], backend: string, ms: number): Result => ({
    runtime: 'node',
    scenario,
    backend,
    kind: backend === 'main-thread' ? 'baseline' : 'offload',
    isolation: backend === 'main-thread' ? 'none' : 'thread',
    workload: backend === 'main-thread' ? 'inline' : 'offloaded',
    workers: 1,
    n: 300,
    unit: 'ms',
    better: 'lower',
    ...summarize([ms]),
    note: 'event-loop lag p99; an I/O request every 10 ms; CPU inline',
  });

  it('wants the lag p99 offloaded at least 20x lower than inline, per backend', () => {
    const results = [
      r('mixed', 'main-thread', 200),
      r('mixed-io', 'main-thread', 290),
      r('mixed', 'node-worker', 4),
      r('mixed', 'child-process', 25),
      { ...r('mixed', 'raw-postMessage', 3), kind: 'raw' as const },
    ];
    const targets = ioTargets(results, 'node');
    expect(targets.map((t) => [t.id, t.status])).toEqual([
      ['node/node-worker/mixed-lag', 'met'],
      ['node/child-process/mixed-lag', 'missed'],
    ]);
    expect(targets[0].value).toBe(50);
    const text = mixedTable(results, 'node', textTable) ?? '';
    expect(text).toContain('an I/O request every 10 ms');
    expect(text).toMatch(/inline \(main thread\)\s+200\s+200-200\s+290/);
    expect(text).toMatch(/offloaded: node-worker x1\s+4\s+4-4\s+50x/);
    expect(text).toMatch(/offloaded: raw-postMessage x1 \(raw floor\)\s+3\s/);
  });
});
