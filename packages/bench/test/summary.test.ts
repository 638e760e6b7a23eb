import { describe, expect, it } from 'vitest';
import type { Result } from '../src/results.js';
import { summarize } from '../src/stats.js';
import { cpuBound, ioBound, RECOMMENDERS, type Recommender, recommend, slowdowns, summaryText } from '../src/summary.js';

const r = (o: Partial<Result> & Pick<Result, 'scenario' | 'backend' | 'kind'>, median: number): Result => ({
  runtime: 'node',
  isolation: 'thread',
  workload: 'add',
  workers: 2,
  n: 1,
  unit: 'tasks/s',
  better: 'higher',
  ...summarize([median]),
  ...o,
});
const scaling = (backend: string, kind: Result['kind'], workload: string, workers: number, cold: number, warm: number, o: Partial<Result> = {}) => [
  r({ scenario: 'scaling', backend, kind, workload, workers, unit: 'ms', better: 'lower', speedup: cold, ...o }, 100 / cold),
  r({ scenario: 'scaling-warm', backend, kind, workload, workers, unit: 'ms', better: 'lower', speedup: warm, ...o }, 100 / warm),
];

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
    400,
  ),
  r(
    {
      scenario: 'sequential',
      backend: 'main-thread',
      kind: 'baseline',
      isolation: 'none',
      workload: 'rc4',
      workers: 1,
      unit: 'ms',
      better: 'lower',
      speedup: 1,
    },
    40,
  ),
  ...scaling('node-worker', 'offload', 'is_prime', 1, 0.9, 0.98),
  ...scaling('node-worker', 'offload', 'is_prime', 2, 1.6, 1.9),
  ...scaling('child-process', 'offload', 'is_prime', 2, 1.2, 1.7, { isolation: 'process' }),
  ...scaling('piscina', 'peer', 'is_prime', 2, 1.5, 1.8),
  ...scaling('raw-postMessage', 'raw', 'is_prime', 2, 1.65, 1.95),
  ...scaling('node-worker', 'offload', 'rc4', 2, 0.6, 1.2),
  ...scaling('child-process', 'offload', 'rc4', 2, 0.3, 0.8, { isolation: 'process' }),
  r({ scenario: 'burst', backend: 'node-worker', kind: 'offload' }, 200_000),
  r({ scenario: 'burst', backend: 'piscina', kind: 'peer' }, 50_000),
  r({ scenario: 'burst', backend: 'child-process', kind: 'offload', isolation: 'process' }, 100_000),
  r({ scenario: 'burst', backend: 'tinypool-child_process', kind: 'peer', isolation: 'process' }, 40_000),
  r({ scenario: 'cold-start', backend: 'child-process', kind: 'offload', isolation: 'process', unit: 'ms', better: 'lower' }, 60),
  r({ scenario: 'map', backend: 'node-worker', kind: 'offload', unit: 'items/s', n: 1_000_000, note: 'chunkSize 1000' }, 2_000_000),
  r({ scenario: 'map-unchunked', backend: 'node-worker', kind: 'offload', unit: 'items/s' }, 80_000),
  r({ scenario: 'burst', backend: 'deno-bun', kind: 'offload', runtime: 'deno' }, 90_000),
  r({ scenario: 'map', backend: 'deno-bun', kind: 'offload', runtime: 'deno', unit: 'items/s' }, 900_000),
];

describe('the summary that opens the report', () => {
  const recs = recommend(results);
  const line = (runtime: string, use: string) => recs.find((x) => x.runtime === runtime && x.use.startsWith(use));

  it('recommends, per runtime, a backend for CPU-bound work with its speedup beside the fastest peer and the floor', () => {
    expect(line('node', 'CPU-bound')).toMatchObject({ backend: 'node-worker' });
    expect(line('node', 'CPU-bound')?.figure).toBe(
      "is_prime: 1.9x the main thread with 2 workers on a warm pool; 1.6x counting the workers' start-up; fastest peer piscina 1.8x; raw floor 1.95x",
    );
  });

  it('recommends chunked map for many tiny tasks, by how much it beats per-task submission and the fastest peer', () => {
    expect(line('node', 'many tiny tasks')).toMatchObject({ backend: 'node-worker, map() with chunkSize' });
    expect(line('node', 'many tiny tasks')?.figure).toBe(
      "2,000,000 items/s (chunkSize 1000); 25x the same map with chunkSize 1; 40x the fastest peer's burst (piscina, 50,000 tasks/s)",
    );
    // Without peers (Deno), against its own submit() burst.
    expect(line('deno', 'many tiny tasks')?.figure).toMatch(/10x its own submit\(\) burst/);
  });

  it('recommends the process-based backend for isolation against process-based peers', () => {
    expect(line('node', 'isolation')).toMatchObject({ backend: 'child-process' });
    expect(line('node', 'isolation')?.figure).toBe(
      'burst 100,000 tasks/s; 2.5x the fastest process-based peer (tinypool-child_process); first result in 60 ms from a cold start',
    );
    expect(line('deno', 'isolation')).toBeUndefined();
  });

  it('leaves a line out when the run has no figure for it, and takes other rules', () => {
    expect(line('deno', 'CPU-bound')).toBeUndefined();
    const io: Recommender = (rs, runtime) =>
      rs.some((x) => x.runtime === runtime) ? { runtime, use: 'I/O-bound', backend: 'InlineExecutor', figure: 'x' } : undefined;
    expect(recommend(results, [cpuBound, io]).map((x) => `${x.runtime}/${x.use}`)).toEqual(['node/CPU-bound work', 'node/I/O-bound', 'deno/I/O-bound']);
  });

  it('recommends InlineExecutor for I/O-bound work, one line per runtime, with its time against sequential and Promise.all', () => {
    const io = (runtime: string, backend: string, kind: Result['kind'], ms: number, o: Partial<Result> = {}) =>
      r(
        {
          runtime,
          scenario: 'io',
          backend,
          kind,
          isolation: 'none',
          workload: 'flags',
          n: 20,
          latencyMs: 100,
          unit: 'ms',
          better: 'lower',
          speedup: 2100 / ms,
          ...o,
        },
        ms,
      );
    const flags = (runtime: string, inline: number) => [
      io(runtime, 'sequential', 'baseline', 2100),
      io(runtime, 'Promise.all', 'baseline', 110),
      io(runtime, 'inline', 'offload', inline),
      io(runtime, 'node-worker', 'offload', 1080, { isolation: 'thread' }),
    ];
    // On deno the InlineExecutor falls behind the floor (400 ms vs 110 ms): the faster approach is named, the figure stays its.
    const all = recommend([...results, ...flags('node', 115), ...flags('deno', 400)]);
    expect(RECOMMENDERS).toContain(ioBound);
    expect(all.filter((x) => x.use === 'I/O-bound work')).toEqual([
      { runtime: 'node', use: 'I/O-bound work', backend: 'InlineExecutor', figure: '115 ms for 20 flags at 100 ms: 18.3x sequential, 1.05x Promise.all' },
      {
        runtime: 'deno',
        use: 'I/O-bound work',
        backend: 'Promise.all',
        figure: 'InlineExecutor 400 ms for 20 flags at 100 ms: 5.25x sequential, 3.64x Promise.all',
      },
    ]);
    expect(summaryText([...results, ...flags('node', 115)])).toContain(
      '\n  I/O-bound work: InlineExecutor. 115 ms for 20 flags at 100 ms: 18.3x sequential, 1.05x Promise.all',
    );
    // No io rows, or an InlineExecutor that failed: no I/O line.
    expect(recs.some((x) => x.use === 'I/O-bound work')).toBe(false);
    const failed = flags('node', 115).map((x) => (x.backend === 'inline' ? { ...x, samples: [], median: Number.NaN, error: 'TypeError: fetch failed' } : x));
    expect(ioBound(failed, 'node')).toBeUndefined();
  });

  it('explains speedups below 1: start-up in the sample, copying cost, 2 cores', () => {
    const why = slowdowns(results, { cores: 2 });
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(/^node · rc4 with 2 workers: node-worker 0.6x cold, 1.2x warm; child-process 0.3x cold, 0.8x warm\./);
    expect(why[0]).toContain('The sample includes starting the workers; a started pool is faster than the main thread');
    expect(why[0]).toContain(
      'Per-task cost (copying inputs and results, passing messages) or the load of the machine outweighs the gain on work that takes the main thread 40 ms',
    );
    expect(why[0]).toContain('This machine has 2 cores');
    expect(slowdowns(results, { cores: 8 })[0]).not.toContain('cores');
  });

  it('blames the load, not copying, when even a started raw floor is below 1', () => {
    const loaded = [
      ...results.filter((x) => x.workload === 'is_prime' && x.scenario === 'sequential'),
      ...scaling('node-worker', 'offload', 'is_prime', 2, 0.48, 0.81),
      ...scaling('raw-postMessage', 'raw', 'is_prime', 2, 0.54, 0.88),
    ];
    expect(slowdowns(loaded)).toEqual([
      'node · is_prime with 2 workers: node-worker 0.48x cold, 0.81x warm. Even a started raw floor (raw-postMessage) is below 1 (0.88x): the work, 400 ms on the main thread, is too small for 2 workers on this machine as loaded.',
    ]);
  });

  it('prints one line per runtime and use, and says so when the run has nothing to recommend from', () => {
    expect(summaryText(results)).toMatch(/^summary: which backend to use/);
    expect(summaryText(results)).toContain('\nnode\n  CPU-bound work: node-worker. is_prime: 1.9x the main thread');
    expect(summaryText(results)).toContain('\ndeno\n  many tiny tasks: deno-bun, map() with chunkSize. ');
    expect(summaryText([])).toMatch(/no figure to recommend a backend from/);
  });
});
