import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Adapter } from '@offload/bench';
import { describe, expect, it } from 'vitest';
import { Estimate, expectedSeconds, formatSeconds, SAMPLE_SECONDS } from '../src/eta.js';

describe('the time estimate of the progress bar', () => {
  const steps = [
    { kind: 'scaling:is_prime', runs: 10 },
    { kind: 'burst', runs: 10 },
    { kind: 'runtime:deno', runs: 50, seconds: 40 },
  ];

  it('weighs each step by the measured time of its kind of sample, not by its number of samples', () => {
    expect(expectedSeconds(steps[0], 'quick')).toBeCloseTo(10 * SAMPLE_SECONDS.quick['scaling:is_prime']);
    expect(expectedSeconds(steps[1], 'quick')).toBeCloseTo(10 * SAMPLE_SECONDS.quick.burst);
    expect(expectedSeconds(steps[2], 'quick')).toBe(40);
    const e = new Estimate(steps, 'quick');
    e.next();
    const total = e.remaining();
    expect(total).toBeCloseTo(16 + 3 + 40);
    // Half of the slow step's samples done: half of its time is gone, whatever the sample counts of the others.
    for (let i = 0; i < 5; i++) e.tick();
    expect(e.remaining()).toBeCloseTo(8 + 3 + 40);
  });

  it('is refined by how long the finished steps took against the table, and moves steadily', () => {
    const e = new Estimate(steps, 'quick');
    e.next();
    const seen: number[] = [e.remaining()];
    for (let i = 0; i < 10; i++) {
      e.tick();
      seen.push(e.remaining());
    }
    // The machine ran the first step twice as slowly as the table says: the rest is expected twice as slow.
    e.next(32);
    expect(e.factor()).toBeCloseTo(2);
    expect(e.remaining()).toBeCloseTo(2 * (3 + 40));
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeLessThan(seen[i - 1]);
  });

  it('bounds the correction and formats minutes', () => {
    const e = new Estimate(steps, 'quick');
    e.next();
    e.next(1000);
    expect(e.factor()).toBe(4);
    expect(formatSeconds(125)).toBe('2m05s');
    expect(formatSeconds(42.4)).toBe('42s');
  });
});

const built = existsSync(fileURLToPath(new URL('../../../packages/bench/dist/index.js', import.meta.url)));

describe.skipIf(!built)('the time estimate of every step of a plan', async () => {
  const { planSteps, SIZES, WORKLOADS } = await import('@offload/bench');
  const stub = (name: string, kind: 'offload' | 'peer' | 'raw'): Adapter => ({
    name,
    kind,
    isolation: 'thread',
    create: () => ({ run: async () => 0, close: async () => {} }),
  });
  const adapters = [stub('node-worker', 'offload'), stub('tinypool', 'peer'), stub('raw-postMessage', 'raw')];
  const steps = (mode: 'full' | 'quick') =>
    planSteps({
      runtime: 'node',
      sizes: SIZES[mode],
      workloads: WORKLOADS,
      scaling: adapters,
      adapters,
      workerCounts: [1, 2],
      maxWorkers: 2,
      scenarios: ['scaling', 'burst', 'pingpong', 'cold-start', 'map', 'head-of-line', 'stream', 'memory', 'io', 'mixed'],
      memory: () => 0,
      io: { bases: ['http://127.0.0.1:1'], latencyMs: SIZES[mode].io.latencyMs },
    });

  it('comes from the table for every kind of step, io and mixed included (none falls back to the default)', () => {
    for (const mode of ['full', 'quick'] as const) {
      const plan = steps(mode);
      expect(plan.map((s) => s.kind)).toEqual(expect.arrayContaining(['io', 'mixed']));
      for (const s of plan) expect(SAMPLE_SECONDS[mode], `${mode}: ${s.label}`).toHaveProperty([s.kind ?? 'no kind']);
    }
    // A mixed sample runs the loop for seconds; an io sample is one download of the flags.
    expect(expectedSeconds({ kind: 'mixed', runs: 1 }, 'full')).toBeGreaterThan(SIZES.full.mixed.durationMs / 1000);
    expect(expectedSeconds({ kind: 'io', runs: 1 }, 'quick')).toBeLessThan(expectedSeconds({ kind: 'io', runs: 1 }, 'full'));
  });
});
