import { describe, expect, it } from 'vitest';
import { queueSkippedRows, queueTables, queueTargets } from '../src/queue-report.js';
import { evaluateTargets, renderText } from '../src/report.js';
import type { Report, Result } from '../src/results.js';
import { summarize } from '../src/stats.js';
import { recommend } from '../src/summary.js';

const row = (o: Partial<Result> & Pick<Result, 'scenario' | 'backend'>, samples: number[]): Result => ({
  runtime: 'bullmq',
  kind: o.backend === 'raw-bullmq' ? 'raw' : o.backend === 'bullmq-sandboxed' ? 'peer' : o.backend === 'main-thread' ? 'baseline' : 'offload',
  isolation: 'process',
  workload: 'add',
  workers: 1,
  n: 100,
  unit: 'us',
  better: 'lower',
  ...summarize(samples),
  ...o,
});

const results: Result[] = [
  // One at a time: Offload 1.1x raw's µs with 1 process, 1.5x with 2.
  row({ scenario: 'queue-pingpong', backend: 'raw-bullmq' }, [1000, 990, 1010]),
  row({ scenario: 'queue-pingpong', backend: 'bullmq' }, [1100]),
  row({ scenario: 'queue-pingpong', backend: 'raw-bullmq', workers: 2 }, [1000]),
  row({ scenario: 'queue-pingpong', backend: 'bullmq', workers: 2 }, [1500]),
  // A burst: 2,000 vs 1,000 tasks/s is twice the time per task (500 vs 1,000 µs).
  row({ scenario: 'queue-burst', backend: 'raw-bullmq', unit: 'tasks/s', better: 'higher', n: 2000 }, [2000]),
  row({ scenario: 'queue-burst', backend: 'bullmq', unit: 'tasks/s', better: 'higher', n: 2000 }, [1000]),
  // BullMQ's sandboxed processors, shown beside: 800 tasks/s in a burst (1,250 µs a task), 1,200 µs one at a time.
  row({ scenario: 'queue-burst', backend: 'bullmq-sandboxed', isolation: 'thread', unit: 'tasks/s', better: 'higher', n: 2000 }, [800]),
  row({ scenario: 'queue-pingpong', backend: 'bullmq-sandboxed', isolation: 'thread' }, [1200]),
  row({ scenario: 'queue-scaling', backend: 'main-thread', workload: 'is_prime', unit: 'ms', speedup: 1 }, [800]),
  row({ scenario: 'queue-scaling', backend: 'node-worker', isolation: 'thread', workload: 'is_prime', workers: 2, unit: 'ms', speedup: 1.6 }, [500]),
  row({ scenario: 'queue-scaling', backend: 'bullmq', workload: 'is_prime', workers: 2, unit: 'ms', speedup: 1.5 }, [533]),
  row({ scenario: 'queue-scaling', backend: 'bullmq', workload: 'is_prime', workers: 4, unit: 'ms', speedup: 1.2 }, [666]),
];

describe('the bullmq row: targets', () => {
  it("per worker-process count, Offload's time per task over raw BullMQ's, one at a time and in a burst, within 1.25x", () => {
    const t = queueTargets(results);
    const byId = Object.fromEntries(t.map((x) => [x.id, x]));
    expect(byId['bullmq/bullmq/overhead-one-at-a-time-1']).toMatchObject({ value: 1.1, threshold: 1.25, op: '<=', status: 'met' });
    expect(byId['bullmq/bullmq/overhead-one-at-a-time-2']).toMatchObject({ value: 1.5, status: 'missed' });
    expect(byId['bullmq/bullmq/overhead-burst-1']).toMatchObject({ value: 2, status: 'missed', detail: '1,000 vs 500 µs per task' });
  });

  it("is_prime with 2 worker processes against node-worker's speedup with 2 threads, at least 0.9x", () => {
    const t = queueTargets(results).find((x) => x.id === 'bullmq/bullmq/is_prime-speedup');
    expect(t).toMatchObject({ value: 1.5 / 1.6, threshold: 0.9, op: '>=', status: 'met', detail: '1.5x vs 1.6x' });
    const slow = results.map((r) => (r.backend === 'bullmq' && r.scenario === 'queue-scaling' && r.workers === 2 ? { ...r, speedup: 1.2 } : r));
    expect(queueTargets(slow).find((x) => x.id === 'bullmq/bullmq/is_prime-speedup')?.status).toBe('missed');
  });

  it('come from raw BullMQ only: the sandboxed processors are shown, not a target', () => {
    const t = queueTargets(results);
    expect(t.map((x) => x.id)).toEqual(queueTargets(results.filter((r) => r.backend !== 'bullmq-sandboxed')).map((x) => x.id));
    expect(t.every((x) => !x.description.includes('sandboxed'))).toBe(true);
  });

  it('are part of evaluateTargets, which adds no per-runtime target of its own for the row', () => {
    expect(evaluateTargets(results).map((t) => t.id)).toEqual(queueTargets(results).map((t) => t.id));
  });
});

describe('the bullmq row when it cannot run', () => {
  const why = 'redis-server not found (spawnSync redis-server ENOENT); apt-get install redis-server, or set REDIS_SERVER';

  it('has a row per part asked for that carries the reason, and no figure', () => {
    const rows = queueSkippedRows(why, ['pingpong', 'scaling', 'cold-start']);
    expect(rows.map((r) => [r.scenario, r.backend])).toEqual([
      ['queue-pingpong', 'bullmq'],
      ['queue-pingpong', 'raw-bullmq'],
      ['queue-scaling', 'bullmq'],
    ]);
    for (const r of rows) expect(r).toMatchObject({ runtime: 'bullmq', error: `skipped: ${why}`, samples: [] });
  });

  it('shows as skipped, with the reason, in the tables and the targets (n/a), and the bench does not fail', () => {
    const rows = queueSkippedRows(why, ['pingpong', 'burst', 'scaling']);
    expect(queueTables(rows)).toEqual([`bullmq · Offload over BullMQ: skipped: ${why}`]);
    const targets = queueTargets(rows);
    expect(targets.map((t) => t.id)).toEqual(['bullmq/bullmq/overhead-one-at-a-time-1', 'bullmq/bullmq/overhead-burst-1', 'bullmq/bullmq/is_prime-speedup']);
    for (const t of targets) expect(t).toMatchObject({ status: 'n/a', detail: `skipped: ${why}` });
    const report: Report = {
      schema: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      mode: 'quick',
      machine: { cpuModel: 'cpu', cores: 2, availableParallelism: 2, memoryGB: 4, platform: 'linux', arch: 'x64', runtimes: {} },
      options: {},
      results: rows,
      targets,
      notes: [],
    };
    expect(renderText(report)).toContain(`bullmq · Offload over BullMQ: skipped: ${why}`);
  });
});

describe('the bullmq row: tables and summary', () => {
  it('prints the ratio per worker-process count, the same beside BullMQ sandboxed processors, and is_prime beside node-worker', () => {
    const [overhead, sandboxed, primes] = queueTables(results);
    expect(overhead).toMatch(/^1 worker process +1,000 +1,100 +1\.1x +2,000 \(500 µs\) +1,000 \(1,000 µs\) +2x$/m);
    expect(overhead).toMatch(/^2 worker processes +1,000 +1,500 +1\.5x +$/m);
    expect(sandboxed).toMatch(/^bullmq · Offload over BullMQ vs BullMQ's sandboxed processors/);
    expect(sandboxed).toMatch(/^1 worker process +1,200 +1,100 +0\.917x +800 \(1,250 µs\) +1,000 \(1,000 µs\) +0\.8x$/m);
    expect(primes).toMatch(/^bullmq, 2 worker processes +533 +533-533 +1\.5x +0\.938x$/m);
    expect(primes).toMatch(/^node-worker, 2 threads +500 +500-500 +1\.6x +$/m);
  });

  it('adds one line to the summary, with what a job costs against raw BullMQ and what is_prime gains', () => {
    const line = recommend(results).find((r) => r.runtime === 'bullmq');
    expect(line).toMatchObject({ use: 'more machines than one (a job queue)', backend: '@offload/bullmq' });
    expect(line?.figure).toContain('is_prime with 2 worker processes 1.5x the main thread (node-worker with 2 threads 1.6x)');
    expect(line?.figure).toContain("per-job time 1.1x raw BullMQ's one at a time, 2x in a burst; 0.8x BullMQ's sandboxed processors' in a burst");
    expect(recommend(queueSkippedRows('no redis', ['pingpong']))).toEqual([]);
  });
});
