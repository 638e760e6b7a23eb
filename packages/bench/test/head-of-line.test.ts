import { describe, expect, it } from 'vitest';
import type { Adapter, CreateOptions, Pool } from '../src/adapter.js';
import { HEAD_OF_LINE_VARIANTS, type HeadOfLineSizes, headOfLineSample } from '../src/head-of-line.js';
import { planSteps, SIZES } from '../src/scenarios.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** What the real tasks return: `spin*(ms)` returns `ms`, `add(x)` returns `x + 1`. */
const answer = (task: string, arg: unknown) => (task.startsWith('spin') ? arg : (arg as number) + 1);
/** A simulated spin: `ms` of waiting (none for 0). */
const work = async (task: string, arg: unknown) => {
  if (task.startsWith('spin') && (arg as number) > 0) await sleep(arg as number);
};

/** Two simulated workers that take a task only when free (what a pool without head-of-line blocking does); a spin of `ms` takes `ms`. */
function freeWorkerPool(): Pool {
  const queue: (() => Promise<void>)[] = [];
  let free = 2;
  const pump = () => {
    while (free > 0 && queue.length > 0) {
      free--;
      (queue.shift() as () => Promise<void>)().then(() => {
        free++;
        pump();
      });
    }
  };
  return {
    run: (task, arg) =>
      new Promise((resolve) => {
        queue.push(async () => {
          await work(task, arg);
          resolve(answer(task, arg));
        });
        pump();
      }),
    close: async () => {},
  };
}

/** Two simulated workers that get every task at submission, alternately, and run their own share in order (prefetch without revocation). */
function sentAheadPool(): Pool {
  const lanes = [Promise.resolve(), Promise.resolve()];
  let next = 0;
  return {
    run(task, arg) {
      const lane = next++ % 2;
      const done = lanes[lane].then(async () => {
        await work(task, arg);
        return answer(task, arg);
      });
      lanes[lane] = done.then(() => {});
      return done;
    },
    close: async () => {},
  };
}

const tiny: HeadOfLineSizes = { workers: 2, warm: 20, sameName: 30, longMs: 200, shorts: 10, shortMs: 1, sampling: { warmup: 0, samples: 1 } };

describe('head-of-line sample', () => {
  it('times the last short task and the long task from the submission of the long task', async () => {
    for (const variant of HEAD_OF_LINE_VARIANTS) {
      const fair = await headOfLineSample(freeWorkerPool(), variant, tiny);
      expect(fair.long).toBeGreaterThanOrEqual(tiny.longMs - 1);
      expect(fair.lastShort).toBeGreaterThanOrEqual(tiny.shorts / 2);
      expect(fair.lastShort).toBeLessThan(fair.long);

      const stuck = await headOfLineSample(sentAheadPool(), variant, tiny);
      expect(stuck.lastShort).toBeGreaterThan(stuck.long);
    }
  });

  it('warms with `add` before `spin`, and with the same name before `spinOrNot`', async () => {
    const calls: [string, unknown][] = [];
    const pool: Pool = {
      run: async (task, arg) => {
        calls.push([task, arg]);
        return answer(task, arg);
      },
      close: async () => {},
    };
    const [spin, same] = HEAD_OF_LINE_VARIANTS;
    await headOfLineSample(pool, spin, tiny);
    expect(calls.slice(0, tiny.warm).every(([t]) => t === 'add')).toBe(true);
    expect(calls.slice(tiny.warm)).toEqual([['spin', tiny.longMs], ...Array.from({ length: tiny.shorts }, () => ['spin', tiny.shortMs])]);
    calls.length = 0;
    await headOfLineSample(pool, same, tiny);
    expect(calls.slice(0, tiny.sameName)).toEqual(Array.from({ length: tiny.sameName }, () => ['spinOrNot', 0]));
    expect(calls.slice(tiny.sameName)).toEqual([['spinOrNot', tiny.longMs], ...Array.from({ length: tiny.shorts }, () => ['spinOrNot', tiny.shortMs])]);
  });

  it('rejects a wrong result', async () => {
    const pool: Pool = { run: async () => 'nope', close: async () => {} };
    await expect(headOfLineSample(pool, HEAD_OF_LINE_VARIANTS[0], tiny)).rejects.toThrow(/wrong result/);
  });
});

describe('head-of-line step', () => {
  const created: [string, number, CreateOptions | undefined][] = [];
  const adapter = (name: string, kind: Adapter['kind'], make: () => Pool = freeWorkerPool): Adapter => ({
    name,
    kind,
    isolation: 'thread',
    create(workers, options) {
      created.push([name, workers, options]);
      return make();
    },
  });
  const adapters = [
    adapter('offload-x', 'offload'),
    adapter('peer-y', 'peer'),
    adapter('raw-z', 'raw'),
    adapter('broken', 'peer', () => ({ run: async () => -1, close: async () => {} })),
  ];
  const cfg = {
    runtime: 'test',
    sizes: { ...SIZES.smoke, headOfLine: { ...tiny, longMs: 20, sampling: { warmup: 1, samples: 2 } } },
    workloads: [],
    scaling: [],
    adapters,
    workerCounts: [1, 4],
    maxWorkers: 4,
    scenarios: ['head-of-line' as const],
  };

  it('is one step, on a fresh 2-worker pool per sample, raw floors as a fair queue', async () => {
    const steps = planSteps(cfg);
    expect(steps.map((s) => s.label)).toEqual(['test head-of-line (2 workers)']);
    expect(steps[0].runs).toBe(adapters.length * HEAD_OF_LINE_VARIANTS.length * 3);
    created.length = 0;
    const rows = await steps[0].run();
    // Three rounds per adapter and variant; the broken peer is dropped after its first sample of each variant.
    expect(created.length).toBe((adapters.length - 1) * HEAD_OF_LINE_VARIANTS.length * 3 + HEAD_OF_LINE_VARIANTS.length);
    expect(created.every(([, workers, o]) => workers === 2 && o?.pipelined === false)).toBe(true);

    for (const a of adapters) {
      for (const v of HEAD_OF_LINE_VARIANTS) {
        const last = rows.find((r) => r.backend === a.name && r.workload === v.task && r.scenario === 'head-of-line');
        const long = rows.find((r) => r.backend === a.name && r.workload === v.task && r.scenario === 'head-of-line-long');
        expect(last).toMatchObject({ runtime: 'test', kind: a.kind, workers: 2, n: tiny.shorts, longMs: 20, unit: 'ms', better: 'lower' });
        expect(long).toMatchObject({ workers: 2, n: 1, longMs: 20, unit: 'ms', better: 'lower' });
        if (a.name === 'broken') {
          expect(last?.error).toMatch(/wrong result/);
          expect(long?.error).toMatch(/wrong result/);
          continue;
        }
        expect(last?.samples).toHaveLength(2);
        expect(long?.samples).toHaveLength(2);
        expect(long?.median).toBeGreaterThanOrEqual(19);
      }
    }
  });

  it('is left out unless asked for', () => {
    expect(planSteps({ ...cfg, scenarios: ['burst'] }).map((s) => s.label)).not.toContain('test head-of-line (2 workers)');
  });
});
