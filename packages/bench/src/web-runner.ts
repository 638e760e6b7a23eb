/**
 * The suite on a Web Worker runtime (Deno, Bun, a browser): the Offload
 * backend given by module specifier and the runtime's raw Worker floor, run
 * through the same scenarios as on Node. Runtime-neutral: the entry points
 * (web-main.ts for Deno and Bun, browser-main.ts for a page) pass the config
 * in and the JSON out.
 * @module
 */
import { type Adapter, type CreateExecutorLike, offloadAdapter, rawPool } from './adapter.js';
import type { FlagSource } from './flags.js';
import type { Result, Scenario } from './results.js';
import { planSteps, runSteps, SIZES } from './scenarios.js';
import { SMOKE_WORKLOADS, WORKLOADS } from './workloads.js';

/** What the bench app sends to a runner. */
export interface WebRunConfig {
  runtime: string;
  mode: 'full' | 'quick' | 'smoke';
  /** Offload backend: adapter name and module specifier exporting `createExecutor`. */
  backend?: { name: string; module: string };
  scenarios: Scenario[];
  workloads?: string[];
  backends?: string[];
  workerCounts: number[];
  maxWorkers: number;
  /** Peers to run beside the backend: a module exporting `compatPeers(names)` (peers-compat.ts) and the names. */
  peers?: { module: string; names: string[] };
  /** The loopback flags server of the io and mixed scenarios, started by the app. */
  io?: FlagSource;
}

/** One line a runner prints (JSON): a tick per sample, then the outcome. */
export type RunnerLine = { type: 'tick' } | { type: 'done'; results: Result[]; notes: string[]; version: string };

interface WebWorkerLike {
  postMessage(m: unknown): void;
  addEventListener(t: 'message', fn: (e: { data: unknown }) => void): void;
  terminate(): void;
}
type WorkerCtor = new (url: URL | string, options?: { type?: 'module' }) => WebWorkerLike;

/** The raw Worker floor of this runtime. */
export function rawWorkerAdapter(url: URL | string = new URL('./raw-web.js', import.meta.url)): Adapter {
  const W = (globalThis as unknown as { Worker: WorkerCtor }).Worker;
  return {
    name: 'raw-worker',
    kind: 'raw',
    isolation: 'thread',
    create: (workers, o) =>
      rawPool(
        () => {
          const w = new W(url, { type: 'module' });
          return {
            post: (m) => w.postMessage(m),
            onMessage: (fn) => w.addEventListener('message', (e) => fn(e.data)),
            terminate: () => w.terminate(),
          };
        },
        workers,
        o?.pipelined ?? false,
      ),
  };
}

/** Version string of the current runtime. */
export function runtimeVersion(): string {
  const g = globalThis as unknown as { Deno?: { version: { deno: string } }; Bun?: { version: string }; navigator?: { userAgent: string } };
  return g.Deno?.version.deno ?? g.Bun?.version ?? g.navigator?.userAgent ?? 'unknown';
}

/** This process's PSS from /proc/self/smaps_rollup (Linux), read through `read`; undefined where it is missing. */
export function pssFrom(read: (path: string) => string): number | undefined {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(read('/proc/self/smaps_rollup'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function memoryProbe(): (() => number) | undefined {
  const g = globalThis as unknown as {
    Deno?: { memoryUsage(): { rss: number }; readTextFileSync(path: string): string };
    Bun?: { gc(force: boolean): void };
    gc?: () => void;
    process?: { memoryUsage?: () => { rss: number }; getBuiltinModule?: (id: string) => unknown };
  };
  // Collect the main thread's garbage first, so that it does not hide (or fake) what the workers add.
  const gc = () => (g.Bun ? g.Bun.gc(true) : g.gc?.());
  const fs = g.process?.getBuiltinModule?.('node:fs') as { readFileSync(path: string, enc: 'utf8'): string } | undefined;
  const read = g.Deno
    ? (p: string) => (g.Deno as { readTextFileSync(path: string): string }).readTextFileSync(p)
    : fs
      ? (p: string) => fs.readFileSync(p, 'utf8')
      : undefined;
  const rss = g.Deno
    ? () => (g.Deno as { memoryUsage(): { rss: number } }).memoryUsage().rss
    : g.process?.memoryUsage
      ? () => g.process?.memoryUsage?.().rss ?? 0
      : undefined;
  if (!rss) return undefined;
  return () => {
    gc();
    return (read && pssFrom(read)) ?? rss();
  };
}

/**
 * Where the runner finds its worker modules and backend. By default, next to
 * this file and by importing `cfg.backend.module`; a bundled page (Chromium)
 * passes the bundle's URLs and the statically imported `createExecutor`.
 */
export interface RunnerModules {
  tasksUrl?: URL | string;
  rawUrl?: URL | string;
  createExecutor?: CreateExecutorLike;
  /** Peers the page bundled (workerpool in a browser). */
  peers?: Adapter[];
}

/** Run the suite on this runtime; `emit` receives the ticks and the final line. */
export async function runWeb(cfg: WebRunConfig, emit: (line: RunnerLine) => void, modules: RunnerModules = {}): Promise<void> {
  const notes: string[] = [];
  const adapters: Adapter[] = [];
  const tasksUrl = modules.tasksUrl ?? new URL('./tasks.js', import.meta.url);
  if (cfg.backend) {
    try {
      const create = modules.createExecutor ?? ((await import(/* @vite-ignore */ cfg.backend.module)) as { createExecutor: CreateExecutorLike }).createExecutor;
      adapters.push(offloadAdapter(cfg.backend.name, 'thread', create, tasksUrl));
    } catch (error) {
      notes.push(`${cfg.runtime}: cannot load ${cfg.backend.module}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (cfg.peers) {
    try {
      const { compatPeers } = (await import(/* @vite-ignore */ cfg.peers.module)) as { compatPeers(names: string[]): Promise<Adapter[]> };
      adapters.push(...(await compatPeers(cfg.peers.names)));
    } catch (error) {
      notes.push(`${cfg.runtime}: cannot load the peers (${cfg.peers.module}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  adapters.push(...(modules.peers ?? []));
  adapters.push(rawWorkerAdapter(modules.rawUrl));
  const picked = adapters.filter((a) => !cfg.backends || cfg.backends.includes(a.name) || cfg.backends.includes(a.kind));
  const pool = cfg.mode === 'smoke' ? SMOKE_WORKLOADS : WORKLOADS;
  const steps = planSteps({
    runtime: cfg.runtime,
    sizes: SIZES[cfg.mode],
    workloads: cfg.workloads ? pool.filter((w) => cfg.workloads?.includes(w.name)) : pool,
    // As on Node: peers join the scaling table in full runs only.
    scaling: cfg.mode === 'full' ? picked : picked.filter((a) => a.kind !== 'peer'),
    adapters: picked,
    workerCounts: cfg.workerCounts,
    maxWorkers: cfg.maxWorkers,
    scenarios: cfg.scenarios,
    memory: memoryProbe(),
    tick: () => emit({ type: 'tick' }),
    io: cfg.io,
  });
  const done = await runSteps(steps);
  emit({ type: 'done', results: done.results, notes: [...notes, ...done.notes], version: runtimeVersion() });
}
