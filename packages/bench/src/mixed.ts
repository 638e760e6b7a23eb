/**
 * The mixed scenario (issue 13): where Offload earns its keep. An HTTP-style
 * loop keeps answering requests that arrive on a schedule: most are I/O (fetch
 * a flag from the loopback server), some are CPU work (a busy loop of a fixed
 * length). The CPU work runs either inline, on the loop itself, or offloaded
 * to a worker backend. Measured: the event loop's lag (p99, ms) over the run
 * and the I/O requests' response time (p99, ms, from arrival to answer).
 * Runtime-neutral; the lag probe is given (Node: perf_hooks'
 * monitorEventLoopDelay; elsewhere a setTimeout-drift sampler).
 * @module
 */
import type { Adapter, Kind } from './adapter.js';
import { type FlagSource, fetchFlag, flagUrls } from './flags.js';
import { type Entry, interleave, now, type SampleOptions } from './harness.js';
import type { Result } from './results.js';
import type { BenchConfig, Step } from './scenarios.js';
import { summarize } from './stats.js';
import { spin } from './workloads.js';

/** Sizes of the mixed scenario. */
export interface MixedSizes {
  /** How long the loop takes requests, per sample. */
  durationMs: number;
  /** An I/O request arrives every this many ms. */
  ioEveryMs: number;
  /** A CPU request arrives every this many ms. */
  cpuEveryMs: number;
  /** How long one CPU request computes (a busy loop). */
  cpuMs: number;
  /** Workers of the offloaded runs (1 leaves a core to the loop on a 2-core machine). */
  workers: number;
  sampling: SampleOptions;
}

/** A running lag measurement; `stop()` ends it and gives the p99 and max delay of the event loop, in ms. */
export interface LagMonitor {
  stop(): { p99: number; max: number };
}

/** Starts a lag measurement. */
export type LagProbe = () => LagMonitor;

/** The p-th percentile (0..100) of values, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * The portable lag probe: a chain of `setTimeout(everyMs)`; each lap records
 * how much later than asked it ran (0 when on time). Every 10 ms by default,
 * as Node's monitorEventLoopDelay: a block of the loop is one sample, so a
 * finer grain would dilute the blocks among idle samples.
 */
export function driftLagProbe(everyMs = 10): LagProbe {
  return () => {
    const lags: number[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = now();
    const lap = () => {
      const t = now();
      lags.push(Math.max(0, t - last - everyMs));
      last = t;
      timer = setTimeout(lap, everyMs);
    };
    timer = setTimeout(lap, everyMs);
    return {
      stop() {
        clearTimeout(timer);
        return { p99: percentile(lags, 99), max: lags.length ? Math.max(...lags) : Number.NaN };
      },
    };
  };
}

/** One sample's figures. */
export interface MixedSample {
  lagP99: number;
  lagMax: number;
  /** p99 of the I/O requests' time from arrival to answer. */
  ioP99: number;
  ioRequests: number;
  cpuRequests: number;
}

/**
 * Run the loop for `m.durationMs`: I/O requests every `ioEveryMs` (`fetchOne(k)`),
 * CPU requests every `cpuEveryMs` (`cpu(cpuMs)`, inline or offloaded), the
 * first CPU request half an interval in. Requests that fall due while the loop
 * was blocked are taken late, as a server takes connections from its backlog;
 * their wait counts in their response time. Every request due before the end
 * is taken, so the counts depend only on the sizes.
 */
export async function mixedSample(
  m: MixedSizes,
  probe: LagProbe,
  fetchOne: (k: number) => Promise<unknown>,
  cpu: (ms: number) => Promise<unknown>,
): Promise<MixedSample> {
  const monitor = probe();
  const t0 = now();
  const pending: Promise<unknown>[] = [];
  // A failed request fails the sample, once the run is over (caught at once: no unhandled rejection meanwhile).
  let failure: { error: unknown } | undefined;
  const track = (p: Promise<unknown>) =>
    pending.push(
      p.catch((error) => {
        failure ??= { error };
      }),
    );
  const ioTimes: number[] = [];
  let nextIo = t0;
  let nextCpu = t0 + m.cpuEveryMs / 2;
  let io = 0;
  let cpus = 0;
  await new Promise<void>((resolve, reject) => {
    const end = t0 + m.durationMs;
    const tick = () => {
      try {
        // Every request due by now (and before the end) is taken, in arrival order, late ones included.
        for (let t = Math.min(now(), end - 1e-6); nextIo <= t || nextCpu <= t; t = Math.min(now(), end - 1e-6)) {
          if (nextIo <= nextCpu) {
            const arrival = nextIo;
            track(fetchOne(io++).then(() => ioTimes.push(now() - arrival)));
            nextIo += m.ioEveryMs;
          } else {
            cpus++;
            track(cpu(m.cpuMs));
            nextCpu += m.cpuEveryMs;
          }
        }
        if (now() >= end) return resolve();
        setTimeout(tick, Math.max(0, Math.min(nextIo, nextCpu, end) - now()));
      } catch (error) {
        reject(error);
      }
    };
    tick();
  });
  // Let the probe take one more sample, so that a block that ran into the end is seen.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const lag = monitor.stop();
  await Promise.all(pending);
  if (failure) throw failure.error;
  return { lagP99: lag.p99, lagMax: lag.max, ioP99: percentile(ioTimes, 99), ioRequests: io, cpuRequests: cpus };
}

interface Way {
  backend: string;
  kind: Kind | 'baseline';
  isolation: 'thread' | 'process' | 'none';
  workers: number;
  adapter?: Adapter;
}

/**
 * The mixed scenario's step: CPU work inline (`main-thread`) and offloaded to
 * each Offload worker backend and each raw worker floor (the least a worker can
 * cost the loop), interleaved. Rows: `mixed` (event-loop lag p99)
 * and `mixed-io` (I/O response time p99), per way.
 */
export function mixedStep(cfg: BenchConfig, source: FlagSource, probe: LagProbe): Step {
  const m = cfg.sizes.mixed;
  const ways: Way[] = [
    { backend: 'main-thread', kind: 'baseline', isolation: 'none', workers: 0 },
    ...cfg.adapters
      .filter((a) => a.kind === 'offload' || a.kind === 'raw')
      .map((a): Way => ({ backend: a.name, kind: a.kind, isolation: a.isolation, workers: m.workers, adapter: a })),
  ];
  const urls = flagUrls(source.bases);
  const fetchOne = (k: number) => fetchFlag(urls[k % urls.length]);
  return {
    label: `${cfg.runtime} mixed: requests for ${m.durationMs} ms, CPU inline vs offloaded`,
    kind: 'mixed',
    runs: ways.length * (m.sampling.warmup + m.sampling.samples),
    async run() {
      // The first fetch loads the runtime's HTTP client (Node's undici, lazily): not a cost of the scenario.
      await fetchOne(0);
      const io = new Map<Way, number[]>();
      const entries: Entry<Way>[] = ways.map((w) => {
        io.set(w, []);
        return {
          key: w,
          run: async () => {
            if (!w.adapter) {
              const s = await mixedSample(m, probe, fetchOne, async (ms) => spin(ms));
              io.get(w)?.push(s.ioP99);
              return s.lagP99;
            }
            const pool = await w.adapter.create(w.workers, { pipelined: false });
            try {
              // Started and warm before the clock: the scenario is about a server that runs, not its start.
              if ((await pool.run('spin', 1)) !== 1) throw new Error('wrong result while warming');
              const s = await mixedSample(m, probe, fetchOne, (ms) => pool.run('spin', ms));
              io.get(w)?.push(s.ioP99);
              return s.lagP99;
            } finally {
              await pool.close();
            }
          },
        };
      });
      const measured = await interleave(entries, m.sampling, () => cfg.tick?.());
      const what = `an I/O request every ${m.ioEveryMs} ms and ${m.cpuMs} ms of CPU every ${m.cpuEveryMs} ms for ${m.durationMs} ms`;
      return measured.flatMap(({ key: w, ...r }): Result[] => {
        const where = w.adapter ? `CPU offloaded to ${w.workers} ${w.backend} worker${w.workers > 1 ? 's' : ''}` : 'CPU inline';
        const row = {
          runtime: cfg.runtime,
          backend: w.backend,
          kind: w.kind,
          isolation: w.isolation,
          workload: w.adapter ? 'offloaded' : 'inline',
          workers: w.workers,
          n: Math.round(m.durationMs / m.ioEveryMs),
          unit: 'ms' as const,
          better: 'lower' as const,
          error: r.error,
        };
        const ioTimes = summarize((io.get(w) ?? []).slice(m.sampling.warmup));
        return [
          { ...row, scenario: 'mixed', samples: r.samples, median: r.median, min: r.min, max: r.max, note: `event-loop lag p99; ${what}; ${where}` },
          { ...row, scenario: 'mixed-io', ...ioTimes, note: `I/O response time p99 (arrival to answer); ${what}; ${where}` },
        ];
      });
    },
  };
}
