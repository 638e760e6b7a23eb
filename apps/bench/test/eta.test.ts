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
