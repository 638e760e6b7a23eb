/**
 * Bounded adapters: a peer that fails or hangs on a runtime shows as a row
 * with its reason instead of stopping the run. Runtime-neutral.
 * @module
 */
import type { Adapter, Pool } from './adapter.js';
import { describeError, HUNG, ReportedError, withTimeout } from './harness.js';

/** How long closing a pool may take before the run goes on without it (ms). */
export const CLOSE_LIMIT_MS = 5_000;

/** A pool that could not be created: every call rejects with `reason`. */
export function deadPool(reason: string): Pool {
  const fail = () => Promise.reject(new ReportedError(reason));
  return { run: fail, map: fail, stream: fail, close: async () => {} };
}

/**
 * `a`, bounded: creating its pool may take at most `timeoutMs`, closing it at
 * most {@link CLOSE_LIMIT_MS} (then the run goes on), and once `hung` holds
 * its name (an earlier sample hung) every new pool is a {@link deadPool} that
 * rejects at once with that reason, so a hung peer costs one timeout per run.
 */
export function guardAdapter(a: Adapter, hung: Map<string, string>, timeoutMs?: number): Adapter {
  return {
    ...a,
    async create(workers, options) {
      const earlier = hung.get(a.name);
      if (earlier) return deadPool(`${earlier} (earlier in this run; not retried)`);
      const pool = await withTimeout(Promise.resolve(a.create(workers, options)), timeoutMs, `creating the pool`);
      const close = () =>
        withTimeout(pool.close(), CLOSE_LIMIT_MS, 'closing the pool').catch((error) => {
          if (!describeError(error).startsWith(HUNG)) throw error;
        });
      return { ...pool, close };
    },
  };
}

/** Create one pool per adapter; an adapter whose creation fails gets a {@link deadPool} with the reason. */
export async function createPools(adapters: Adapter[], workers: number, pipelined: boolean): Promise<Pool[]> {
  const pools: Pool[] = [];
  for (const a of adapters) {
    try {
      pools.push(await a.create(workers, { pipelined }));
    } catch (error) {
      pools.push(deadPool(describeError(error)));
    }
  }
  return pools;
}
