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

function memoryProbe(): (() => number) | undefined {
  const g = globalThis as unknown as {
    Deno?: { memoryUsage(): { rss: number } };
    Bun?: { gc(force: boolean): void };
    gc?: () => void;
    process?: { memoryUsage?: () => { rss: number } };
  };
  // Collect the main thread's garbage first, so that it does not hide (or fake) what the workers add.
  const gc = () => (g.Bun ? g.Bun.gc(true) : g.gc?.());
  if (g.Deno) {
    const deno = g.Deno;
    return () => {
      gc();
      return deno.memoryUsage().rss;
    };
  }
  const usage = g.process?.memoryUsage;
  if (usage)
    return () => {
      gc();
      return usage().rss;
    };
  return undefined;
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
  adapters.push(rawWorkerAdapter(modules.rawUrl));
  const picked = adapters.filter((a) => !cfg.backends || cfg.backends.includes(a.name) || cfg.backends.includes(a.kind));
  const pool = cfg.mode === 'smoke' ? SMOKE_WORKLOADS : WORKLOADS;
  const steps = planSteps({
    runtime: cfg.runtime,
    sizes: SIZES[cfg.mode],
    workloads: cfg.workloads ? pool.filter((w) => cfg.workloads?.includes(w.name)) : pool,
    scaling: picked,
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
