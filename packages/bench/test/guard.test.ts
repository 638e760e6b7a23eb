import { describe, expect, it } from 'vitest';
import type { Adapter } from '../src/adapter.js';
import { planSteps, runSteps, SIZES } from '../src/scenarios.js';

const never = () => new Promise<never>(() => {});

describe('a peer that hangs or fails', () => {
  it('shows as a row with the reason, costs one timeout per run, and does not stop the others', { timeout: 20_000 }, async () => {
    let created = 0;
    const hangs: Adapter = {
      name: 'hangs',
      kind: 'peer',
      isolation: 'process',
      create: () => {
        created++;
        return { run: never, close: never };
      },
    };
    const fails: Adapter = {
      name: 'fails',
      kind: 'peer',
      isolation: 'thread',
      create: () => {
        throw new Error('cannot start here');
      },
    };
    const works: Adapter = {
      name: 'works',
      kind: 'offload',
      isolation: 'thread',
      create: () => ({ run: async (_t, x) => (x as number) + 1, close: async () => {} }),
    };
    const t = performance.now();
    const { results, notes } = await runSteps(
      planSteps({
        runtime: 'bun',
        sizes: { ...SIZES.smoke, timeoutMs: 300 },
        workloads: [],
        scaling: [],
        adapters: [hangs, fails, works],
        workerCounts: [1],
        maxWorkers: 1,
        scenarios: ['burst', 'pingpong', 'cold-start'],
      }),
    );
    const ms = performance.now() - t;
    expect(notes).toEqual([]);
    const row = (backend: string, scenario: string) => results.find((r) => r.backend === backend && r.scenario === scenario);
    expect(row('hangs', 'burst')?.error).toBe('hung: a sample gave no result within 300 ms');
    expect(row('hangs', 'pingpong')?.error).toBe('hung: a sample gave no result within 300 ms (earlier in this run; not retried)');
    expect(row('hangs', 'cold-start')?.error).toMatch(/not retried/);
    expect(created).toBe(1);
    expect(row('fails', 'burst')?.error).toBe('Error: cannot start here');
    expect(row('works', 'burst')).toMatchObject({ samples: [expect.any(Number)] });
    expect(row('works', 'burst')?.error).toBeUndefined();
    // One sample timeout and one bounded close, not one per scenario.
    expect(ms).toBeLessThan(300 + 5_000 + 3_000);
  });
});
