/**
 * The scaling scenario: each workload on the main thread (the baseline), then
 * on every scaling adapter with 1..N workers, cold (the pool is created, runs
 * every input and is closed in the sample, as in the seeds' Table 17-1) and
 * warm (a started pool that already ran the workload once), interleaved.
 * Runtime-neutral.
 * @module
 */
import type { Adapter, Pool } from './adapter.js';
import { type Entry, interleave, type Measured, now } from './harness.js';
import { type BenchConfig, base, type Step } from './scenarios.js';
import { ratio, summaryFields } from './stats.js';
import { runSequential, type Workload } from './workloads.js';

/** Run every input of a workload at once on a pool; returns the results in input order. */
function runAll(pool: Pool, w: Workload): Promise<unknown[]> {
  return Promise.all(w.inputs().map((x) => pool.run(w.task, x)));
}

const same = (a: unknown[], b: unknown[]) => JSON.stringify(a) === JSON.stringify(b);

/** One step per workload. */
export function scalingSteps(cfg: BenchConfig): Step[] {
  const s = cfg.sizes;
  const tick = () => cfg.tick?.();
  const steps: Step[] = [];
  for (const w of cfg.workloads) {
    // Cold entries (create, run, close: the seeds' Table 17-1) and warm ones (a started pool that ran the workload once).
    const most = Math.max(...cfg.workerCounts);
    const warmAt = (workers: number) => s.warmCounts === 'all' || workers === most;
    const count = 1 + (cfg.workerCounts.length + cfg.workerCounts.filter(warmAt).length) * cfg.scaling.length;
    const sampling = w.name === 'is_prime' ? s.scalingTarget : s.scaling;
    steps.push({
      label: `${cfg.runtime} scaling ${w.name}`,
      kind: `scaling:${w.name}`,
      runs: count * (sampling.warmup + sampling.samples),
      async run() {
        const expected = await runSequential(w);
        const warmPools = new Map<string, Pool>();
        const entries: Entry<{ a?: Adapter; workers: number; warm?: boolean }>[] = [
          {
            key: { workers: 1 },
            run: async () => {
              const t = now();
              await runSequential(w);
              return now() - t;
            },
          },
        ];
        for (const workers of cfg.workerCounts) {
          for (const a of cfg.scaling) {
            entries.push({
              key: { a, workers },
              run: async () => {
                const t = now();
                const pool = await a.create(workers, { pipelined: false });
                let out: unknown[];
                try {
                  out = await runAll(pool, w);
                } finally {
                  await pool.close();
                }
                const ms = now() - t;
                if (!same(out, expected)) throw new Error(`wrong results from ${a.name}`);
                return ms;
              },
            });
            if (warmAt(workers))
              entries.push({
                key: { a, workers, warm: true },
                run: async () => {
                  const id = `${a.name}/${workers}`;
                  let pool = warmPools.get(id);
                  if (!pool) {
                    pool = await a.create(workers, { pipelined: false });
                    warmPools.set(id, pool);
                    await runAll(pool, w);
                  }
                  const t = now();
                  const out = await runAll(pool, w);
                  const ms = now() - t;
                  if (!same(out, expected)) throw new Error(`wrong results from ${a.name}`);
                  return ms;
                },
              });
          }
        }
        let measured: Measured<{ a?: Adapter; workers: number; warm?: boolean }>[];
        try {
          // Reversed every other round, so that no row always runs right after the same one (a cold
          // sample leaves workers and processes exiting behind it).
          measured = await interleave(entries, { ...sampling, alternate: true }, tick);
        } finally {
          await Promise.allSettled([...warmPools.values()].map((p) => p.close()));
        }
        const seq = measured[0].median;
        return measured.map((m) => ({
          ...base(cfg, m.key.a, m.key.a ? (m.key.warm ? 'scaling-warm' : 'scaling') : 'sequential', w.name, m.key.workers, w.inputs().length),
          unit: 'ms' as const,
          better: 'lower' as const,
          ...summaryFields(m),
          speedup: ratio(seq, m.median),
          error: m.error,
          note: m.key.a ? (m.key.warm ? 'a started pool that already ran the workload once' : 'includes starting the workers') : w.description,
        }));
      },
    });
  }
  return steps;
}
