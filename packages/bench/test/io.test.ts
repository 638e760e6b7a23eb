import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter, Pool } from '../src/adapter.js';
import { expectedBytes, FLAG_CODES, FlagFetchError, fetchFlag, flagBytes, flagUrls } from '../src/flags.js';
import { type FlagsServer, serveFlags } from '../src/flags-server.js';
import { now } from '../src/harness.js';
import { ioRecommendation, ioTable, ioTargets } from '../src/io-report.js';
import type { Result } from '../src/results.js';
import { planSteps, SIZES } from '../src/scenarios.js';
import { summarize, textTable } from '../src/stats.js';

const LATENCY = 20;
let server: FlagsServer;
beforeAll(async () => {
  server = await serveFlags({ latencyMs: LATENCY });
});
afterAll(() => server.close());

describe('the loopback flags server', () => {
  it('serves every flag, after its latency, readable from another origin', async () => {
    expect(server.bases).toHaveLength(4);
    for (const base of server.bases) expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const t = now();
    const res = await fetch(`${server.bases[0]}/flags/br.gif`);
    expect(now() - t).toBeGreaterThanOrEqual(LATENCY - 1);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(flagBytes('BR'));
  });

  it('answers 404 for an unknown flag, and fetchFlag says which URL failed', async () => {
    const url = `${server.bases[1]}/flags/zz.gif`;
    const error = await fetchFlag(url).catch((e) => e);
    expect(error).toBeInstanceOf(FlagFetchError);
    expect(error).toMatchObject({ code: 'FLAG_FETCH', url, status: 404 });
  });

  it('spreads the 20 flags over its ports, and fetchFlag returns each one size', async () => {
    const urls = flagUrls(server.bases);
    expect(urls).toHaveLength(FLAG_CODES.length);
    expect(new Set(urls.map((u) => new URL(u).port)).size).toBe(server.bases.length);
    const sizes = await Promise.all(urls.map(fetchFlag));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(expectedBytes());
  });
});

/** A stand-in worker backend: `workers` lanes on this thread, each running one fetch at a time (what a worker with one task slot does). */
function laneAdapter(name: string): Adapter {
  return {
    name,
    kind: 'offload',
    isolation: 'thread',
    create(workers): Pool {
      const queue: (() => Promise<void>)[] = [];
      let free = workers;
      const pump = () => {
        while (free > 0 && queue.length) {
          free--;
          (queue.shift() as () => Promise<void>)().finally(() => {
            free++;
            pump();
          });
        }
      };
      return {
        run: (task, arg) =>
          new Promise((resolve, reject) => {
            if (task !== 'fetchFlag') return reject(new Error(`unexpected task ${task}`));
            queue.push(() => fetchFlag(arg as string).then(resolve, reject));
            pump();
          }),
        close: async () => {},
      };
    },
  };
}

describe('io step', () => {
  const cfg = () => ({
    runtime: 'test',
    sizes: { ...SIZES.smoke, io: { flags: 20, latencyMs: LATENCY, limit: 20, sampling: { warmup: 0, samples: 1 } } },
    workloads: [],
    scaling: [],
    adapters: [laneAdapter('lanes')],
    workerCounts: [2],
    maxWorkers: 2,
    scenarios: ['io' as const],
    io: server,
  });

  it('downloads the flags sequentially, with Promise.all, on an InlineExecutor and on the worker backend, in one row each', async () => {
    const steps = planSteps(cfg());
    expect(steps.map((s) => s.label)).toEqual([`test io: 20 flags at ${LATENCY} ms`]);
    const rows = await steps[0].run();
    expect(rows.map((r) => [r.backend, r.concurrency])).toEqual([
      ['sequential', 1],
      ['Promise.all', 20],
      ['inline', 20],
      ['lanes', 2],
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({ runtime: 'test', scenario: 'io', workload: 'flags', n: 20, latencyMs: LATENCY, unit: 'ms', better: 'lower' });
      expect(r.error).toBeUndefined();
    }
    const [seq, all, inline, lanes] = rows;
    // Lower bounds only (the latency is a floor on any machine): 20 waits in a row, 10 per lane, at least one for the rest.
    expect(seq.median).toBeGreaterThanOrEqual(20 * LATENCY - 1);
    expect(lanes.median).toBeGreaterThanOrEqual(10 * LATENCY - 1);
    expect(all.median).toBeGreaterThanOrEqual(LATENCY - 1);
    expect(inline.median).toBeGreaterThanOrEqual(LATENCY - 1);
    // Two lanes cannot beat twenty requests in flight.
    expect(lanes.median).toBeGreaterThan(all.median);
    expect(seq.speedup).toBe(1);
  });

  it('is skipped without a flags server, and reports a backend that cannot start as an error row', async () => {
    expect(planSteps({ ...cfg(), io: undefined })).toEqual([]);
    const broken: Adapter = {
      name: 'broken',
      kind: 'offload',
      isolation: 'thread',
      create: () => {
        throw new Error('no workers here');
      },
    };
    const rows = await planSteps({ ...cfg(), adapters: [broken] })[0].run();
    expect(rows.find((r) => r.backend === 'broken')?.error).toMatch(/no workers here/);
    expect(rows.find((r) => r.backend === 'inline')?.error).toBeUndefined();
  });
});

const row = (backend: string, kind: Result['kind'], ms: number, o: Partial<Result> = {}): Result => ({
  runtime: 'node',
  scenario: 'io',
  backend,
  kind,
  isolation: kind === 'offload' && backend !== 'inline' ? 'thread' : 'none',
  workload: 'flags',
  workers: 1,
  concurrency: 20,
  n: 20,
  latencyMs: 100,
  unit: 'ms',
  better: 'lower',
  ...summarize([ms]),
  speedup: 2100 / ms,
  ...o,
});

describe('io targets, table and recommendation', () => {
  const results = [
    row('sequential', 'baseline', 2100, { concurrency: 1 }),
    row('Promise.all', 'baseline', 110),
    row('inline', 'offload', 115),
    row('node-worker', 'offload', 1080, { workers: 2, concurrency: 2 }),
  ];

  it('checks InlineExecutor against the Promise.all floor (<= 1.1x) and sequential (>= 10x)', () => {
    const [floor, seq] = ioTargets(results, 'node');
    expect(floor).toMatchObject({ id: 'node/inline/io-vs-promise-all', op: '<=', threshold: 1.1, status: 'met' });
    expect(floor.value).toBeCloseTo(115 / 110);
    expect(seq).toMatchObject({ id: 'node/inline/io-vs-sequential', op: '>=', threshold: 10, status: 'met' });
    expect(seq.value).toBeCloseTo(2100 / 115);
    const slow = results.map((r) => (r.backend === 'inline' ? { ...r, ...summarize([200]) } : r));
    expect(ioTargets(slow, 'node').map((t) => t.status)).toEqual(['missed', 'met']);
    expect(ioTargets(slow.slice(2), 'node').map((t) => t.status)).toEqual(['n/a', 'n/a']);
  });

  it('recommends InlineExecutor for I/O with the figures that say why', () => {
    const rec = ioRecommendation(results);
    expect(rec).toMatchObject({ runtime: 'node', backend: 'InlineExecutor', figure: '115 ms for 20 flags at 100 ms: 18.3x sequential, 1.05x Promise.all' });
    expect(rec?.text).toContain('InlineExecutor 115 ms, 18.3x sequential (2,100 ms)');
    expect(rec?.text).toContain('node-worker with 2 workers takes 1,080 ms');
    // Should the InlineExecutor fall behind the floor, the fastest approach measured is named instead.
    const slow = results.map((r) => (r.backend === 'inline' ? { ...r, ...summarize([400]) } : r));
    expect(ioRecommendation(slow)?.backend).toBe('Promise.all');
    expect(ioRecommendation(results, 'deno')).toBeUndefined();
    expect(ioRecommendation(results.filter((r) => r.backend !== 'inline'))).toBeUndefined();
    expect(ioRecommendation([])).toBeUndefined();
  });

  it('prints one table with time, speedup and the ratio to Promise.all', () => {
    const text = ioTable(results, 'node', textTable) ?? '';
    expect(text).toMatch(/^node · io: download 20 flags, 100 ms latency each/);
    expect(text).toMatch(/inline\s+20\s+115\s+115-115\s+18\.3x\s+1\.05x/);
    expect(text).toMatch(/node-worker\s+2\s+1,080/);
    expect(ioTable(results, 'deno', textTable)).toBeUndefined();
  });
});
