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
});
