/**
 * The io scenario (issue 13): the seeds' flags download, I/O-bound work.
 * Twenty small flags from the loopback flags server, each answered after a
 * fixed latency, fetched four ways in one interleaved run: one after the
 * other (sequential), all at once with plain `Promise.all` (the floor), on an
 * `InlineExecutor` with a concurrency limit (the event loop, the asyncio side
 * of the seeds), and on each worker backend with N workers (each worker runs
 * one task at a time, so at most N requests are in flight). Runtime-neutral.
 * @module
 */
import { InlineExecutor } from '@offload/core';
import type { Adapter, Kind, Pool } from './adapter.js';
import { expectedBytes, type FlagSource, fetchFlag, flagUrls } from './flags.js';
import { type Entry, interleave, now, type SampleOptions } from './harness.js';
import type { Result } from './results.js';
import type { BenchConfig, Step } from './scenarios.js';
import { ratio, summaryFields } from './stats.js';

/** Sizes of the io scenario. */
export interface IoSizes {
  /** Flags per download (20 in the seeds). */
  flags: number;
  /** Default latency of every response, in ms (the app's `--latency` overrides it). */
  latencyMs: number;
  /** Most fetches the InlineExecutor runs at once. */
  limit: number;
  sampling: SampleOptions;
}

/** One way of downloading the flags. */
interface Approach {
  backend: string;
  kind: Kind | 'baseline';
  isolation: 'thread' | 'process' | 'none';
  workers: number;
  /** Most requests in flight. */
  concurrency: number;
  note: string;
  /** Prepare before the clock (a warm pool); `url` is one flag to warm up with. */
  open?(url: string): Promise<void>;
  download(urls: string[]): Promise<number>;
  close?(): Promise<void>;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The approaches of one run: the two baselines, the InlineExecutor and every worker backend given. */
export function ioApproaches(workerAdapters: Adapter[], workers: number, limit: number, flags: number): Approach[] {
  const inlineLimit = Math.min(limit, flags);
  return [
    {
      backend: 'sequential',
      kind: 'baseline',
      isolation: 'none',
      workers: 1,
      concurrency: 1,
      note: 'await fetch() for one flag after the other',
      async download(urls) {
        let total = 0;
        for (const url of urls) total += await fetchFlag(url);
        return total;
      },
    },
    {
      backend: 'Promise.all',
      kind: 'baseline',
      isolation: 'none',
      workers: 1,
      concurrency: flags,
      note: 'Promise.all(urls.map(fetch)) on the main thread: the floor',
      download: async (urls) => sum(await Promise.all(urls.map(fetchFlag))),
    },
    {
      backend: 'inline',
      kind: 'offload',
      isolation: 'none',
      workers: 1,
      concurrency: inlineLimit,
      note: `InlineExecutor({ concurrentTasksPerWorker: ${inlineLimit} }): submit() per flag on the event loop; includes creating it`,
      async download(urls) {
        const ex = new InlineExecutor({ fetchFlag }, { maxWorkers: 1, concurrentTasksPerWorker: inlineLimit });
        try {
          return sum(await Promise.all(urls.map((u) => ex.submit('fetchFlag', [u]) as PromiseLike<number>)));
        } finally {
          await ex.shutdown();
        }
      },
    },
    ...workerAdapters.map((a): Approach => {
      let pool: Pool | undefined;
      return {
        backend: a.name,
        kind: a.kind,
        isolation: a.isolation,
        workers,
        concurrency: workers,
        note: `${workers} warm worker${workers > 1 ? 's' : ''}, each fetching one flag at a time`,
        async open(url) {
          pool = await a.create(workers, { pipelined: false });
          // Started and warm (one fetch per worker) before the clock: the cap on concurrency is the point, not start-up.
          await Promise.all(Array.from({ length: workers }, () => pool?.run('fetchFlag', url)));
        },
        async download(urls) {
          const p = pool as Pool;
          return sum((await Promise.all(urls.map((u) => p.run('fetchFlag', u)))) as number[]);
        },
        close: async () => pool?.close(),
      };
    }),
  ];
}

/** The io scenario's step; needs the flags server (`cfg.io`). One row per approach, speedup against sequential. */
export function ioStep(cfg: BenchConfig, source: FlagSource): Step {
  const s = cfg.sizes.io;
  const workers = cfg.adapters.filter((a) => a.kind === 'offload');
  const approaches = ioApproaches(workers, cfg.maxWorkers, s.limit, s.flags);
  const urls = flagUrls(source.bases, s.flags);
  const expected = expectedBytes(s.flags);
  const failed = new Map<Approach, unknown>();
  return {
    label: `${cfg.runtime} io: ${s.flags} flags at ${source.latencyMs} ms`,
    kind: 'io',
    runs: approaches.length * (s.sampling.warmup + s.sampling.samples),
    async run() {
      try {
        for (const a of approaches) {
          try {
            await a.open?.(urls[0]);
          } catch (error) {
            failed.set(a, error);
          }
        }
        return await measure();
      } finally {
        await Promise.allSettled(approaches.map((a) => a.close?.()));
      }
    },
  };

  async function measure(): Promise<Result[]> {
    const entries: Entry<Approach>[] = approaches.map((a) => ({
      key: a,
      run: async () => {
        if (failed.has(a)) throw failed.get(a);
        const t = now();
        const got = await a.download(urls);
        const ms = now() - t;
        if (got !== expected) throw new Error(`downloaded ${got} bytes instead of ${expected}`);
        return ms;
      },
    }));
    const measured = await interleave(entries, s.sampling, () => cfg.tick?.());
    const seq = measured[0].median;
    return measured.map(
      (m): Result => ({
        runtime: cfg.runtime,
        scenario: 'io',
        backend: m.key.backend,
        kind: m.key.kind,
        isolation: m.key.isolation,
        workload: 'flags',
        workers: m.key.workers,
        concurrency: m.key.concurrency,
        n: s.flags,
        latencyMs: source.latencyMs,
        unit: 'ms',
        better: 'lower',
        ...summaryFields(m),
        speedup: ratio(seq, m.median),
        error: m.error,
        note: m.key.note,
      }),
    );
  }
}
