import { describe, expect, it } from 'vitest';
import { figureProblems, guardFigures } from '../src/figures.js';
import type { Result, Target } from '../src/results.js';
import { summarize } from '../src/stats.js';

const row = (samples: number[], o: Partial<Result> = {}): Result => ({
  runtime: 'node',
  scenario: 'memory',
  backend: 'node-worker',
  kind: 'offload',
  isolation: 'thread',
  workload: 'idle',
  workers: 4,
  n: 4,
  unit: 'MB',
  better: 'lower',
  ...summarize(samples),
  ...o,
});
const target = (value: number, status: Target['status']): Target => ({
  id: 't',
  runtime: 'node',
  description: 'd',
  value,
  threshold: 10,
  op: '<=',
  status,
  detail: '',
});

describe('figure guards', () => {
  it('finds every negative or non-finite figure, in rows and in evaluated targets', () => {
    const problems = figureProblems({
      results: [row([-1.02]), row([3, 4]), row([], { error: 'Error: boom' }), row([2], { speedup: Number.NaN })],
      targets: [target(-97.9, 'met'), target(Number.NaN, 'n/a'), target(5, 'met')],
    });
    expect(problems).toEqual([
      'node node-worker memory idle: median is -1.02',
      'node node-worker memory idle: min is -1.02',
      'node node-worker memory idle: max is -1.02',
      'node node-worker memory idle: samples[0] is -1.02',
      'node node-worker memory: speedup is NaN',
      'target t: value is -97.9',
    ]);
  });

  it('turns a row with a bad figure into an error row that says why, and drops a speedup that is no figure', () => {
    const [bad, good, speed] = guardFigures([row([-5.81]), row([6.1]), row([2], { speedup: Number.POSITIVE_INFINITY })]);
    expect(bad).toMatchObject({ samples: [], error: expect.stringMatching(/^no valid figure \(node node-worker memory idle: median is -5.81/) });
    expect(good).toMatchObject({ samples: [6.1], median: 6.1 });
    expect(good.error).toBeUndefined();
    expect(speed.speedup).toBeUndefined();
    expect(speed.median).toBe(2);
    expect(figureProblems({ results: [bad, good, speed], targets: [] })).toEqual([]);
  });

  it('leaves no figure on an error row: the io and mixed rows of a backend that failed after some samples', () => {
    const io = row([900, 950], { scenario: 'io', workload: 'flags', unit: 'ms', speedup: Number.NaN, error: 'TypeError: fetch failed' });
    // The mixed step gives both rows of a way the I/O times or lags measured before it failed.
    const lag = row([0, 3], { scenario: 'mixed', workload: 'offloaded', unit: 'ms', error: 'hung: a sample gave no result within 10 s' });
    const answer = row([14], { scenario: 'mixed-io', workload: 'offloaded', unit: 'ms', error: 'hung: a sample gave no result within 10 s' });
    const idle = row([0], { scenario: 'mixed', backend: 'main-thread', kind: 'baseline', workload: 'inline', unit: 'ms' });
    const guarded = guardFigures([io, lag, answer, idle]);
    expect(figureProblems({ results: guarded, targets: [] })).toEqual([]);
    for (const r of guarded.slice(0, 3)) {
      expect(r).toMatchObject({ samples: [], error: expect.any(String) });
      expect(r.speedup).toBeUndefined();
      expect([r.median, r.min, r.max].every(Number.isNaN)).toBe(true);
    }
    expect(guarded[1].error).toMatch(/^hung: /);
    // A lag of 0 is a figure (a loop that was never late).
    expect(guarded[3]).toMatchObject({ samples: [0], median: 0 });
    expect(guarded[3].error).toBeUndefined();
  });
});
