import { describe, expect, it } from 'vitest';
import type { Adapter } from '../src/adapter.js';
import { figureProblems } from '../src/figures.js';
import { MEMORY_MIN_WORKERS, memoryFigure, memoryStep } from '../src/memory.js';
import { SIZES } from '../src/scenarios.js';

const MB = 2 ** 20;

describe('idle memory per worker', () => {
  it('never goes negative, and flags a figure that does not exceed the noise of a control without a pool', () => {
    expect(memoryFigure([-1.02, 0.4, 0.1], [0.5, -0.7])).toEqual({ samples: [0, 0.4, 0.1], noise: 0.7, withinNoise: true });
    expect(memoryFigure([6.2, 6.5, 5.9], [0.5, -0.7])).toMatchObject({ noise: 0.7, withinNoise: false });
  });

  it('starts several workers, reads memory around them, and records no negative figure when memory drops meanwhile', { timeout: 30_000 }, async () => {
    // A probe whose baseline falls by 8 MB every reading (garbage freed), while each live worker adds 5 MB.
    let live = 0;
    let base = 500 * MB;
    const memory = () => {
      base -= 8 * MB;
      return base + live * 5 * MB;
    };
    const fake = (name: string, perWorker: number): Adapter => ({
      name,
      kind: 'peer',
      isolation: 'thread',
      create: (workers) => {
        live += (workers * perWorker) / 5;
        return {
          run: async () => 0,
          close: async () => {
            live -= (workers * perWorker) / 5;
          },
        };
      },
    });
    const step = memoryStep(
      {
        runtime: 'node',
        sizes: { ...SIZES.smoke, memory: { warmup: 0, samples: 3 } },
        workloads: [],
        scaling: [],
        adapters: [fake('big', 5), fake('none', 0)],
        workerCounts: [1, 2],
        maxWorkers: 2,
        scenarios: ['memory'],
      },
      memory,
    );
    expect(step.runs).toBe(3 * 3);
    const rows = await step.run();
    expect(rows.map((r) => [r.backend, r.workers])).toEqual([
      ['big', MEMORY_MIN_WORKERS],
      ['none', MEMORY_MIN_WORKERS],
    ]);
    expect(figureProblems({ results: rows, targets: [] })).toEqual([]);
    const none = rows[1];
    expect(none.median).toBe(0);
    expect(none.withinNoise).toBe(true);
    expect(none.noise).toBeGreaterThan(0);
  });
});
