/**
 * Command line of every entry point, and the runtime-neutral start/stop logic
 * they share. Each entry (node.ts, deno.ts, bun.ts) supplies only what differs:
 * how to listen, how to stop listening, how to hear signals, how to exit.
 */
import type { Executor } from '@offload/core';
import { createInlineExecutor } from '@offload/core';
import { createApp, type Mode, type ServerApp } from './app.ts';
import { type Tasks, tasks } from './tasks.ts';

export interface Config {
  host: string;
  /** 0 picks a free port; the chosen one is printed in the "listening" line. */
  port: number;
  mode: Mode;
  /** Workers in the pool (offload mode). */
  workers: number;
  /** Most tasks waiting for a worker; more get 503 + Retry-After. */
  maxQueue: number;
  /** Longest wait for in-flight requests and running tasks on SIGINT/SIGTERM, in ms. */
  shutdownTimeout: number;
  /** Where the tasks run: this machine's workers (`local`), or BullMQ workers on any machine (`bullmq`, Node only). */
  backend: 'local' | 'bullmq';
  /** Redis of the `bullmq` backend. */
  redis: string;
  /** BullMQ queue of the `bullmq` backend (the workers' `offload-worker --queue`). */
  queue: string;
}

export const USAGE = `Options:
  --port <n>              port to listen on (default $PORT or 3000; 0 = any free port)
  --host <addr>           address to bind (default 127.0.0.1)
  --blocking              compute on the main thread (for comparison only)
  --workers <n>           pool size (default: available parallelism)
  --max-queue <n>         tasks allowed to wait for a worker before 503 (default 64)
  --shutdown-timeout <ms> bound on the graceful-shutdown wait (default 10000)
  --backend <local|bullmq> run tasks on this machine's workers (default) or on BullMQ workers (Node only)
  --redis <url>           Redis of the bullmq backend (default redis://127.0.0.1:6379)
  --queue <name>          BullMQ queue of the bullmq backend (default offload-server)`;

function int(name: string, raw: string | undefined, min: number): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isSafeInteger(n) || n < min) {
    throw new Error(`${name} must be an integer >= ${min}; got ${raw === undefined ? 'nothing' : `"${raw}"`}.\n${USAGE}`);
  }
  return n;
}

/** Parse argv (without the runtime and script). */
export function parseConfig(args: readonly string[], env: { PORT?: string }, defaultWorkers: number): Config {
  const c: Config = {
    host: '127.0.0.1',
    port: env.PORT ? int('PORT', env.PORT, 0) : 3000,
    mode: 'offload',
    workers: Math.max(1, defaultWorkers),
    maxQueue: 64,
    shutdownTimeout: 10_000,
    backend: 'local',
    redis: 'redis://127.0.0.1:6379',
    queue: 'offload-server',
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? args[++i];
    switch (flag) {
      case '--port':
        c.port = int('--port', value(), 0);
        break;
      case '--host':
        c.host = value() ?? c.host;
        break;
      case '--blocking':
        c.mode = 'blocking';
        break;
      case '--workers':
        c.workers = int('--workers', value(), 1);
        break;
      case '--max-queue':
        c.maxQueue = int('--max-queue', value(), 0);
        break;
      case '--shutdown-timeout':
        c.shutdownTimeout = int('--shutdown-timeout', value(), 0);
        break;
      case '--backend': {
        const b = value();
        if (b !== 'local' && b !== 'bullmq') throw new Error(`--backend must be local or bullmq; got ${b === undefined ? 'nothing' : `"${b}"`}.\n${USAGE}`);
        c.backend = b;
        break;
      }
      case '--redis':
        c.redis = value() ?? c.redis;
        break;
      case '--queue':
        c.queue = value() ?? c.queue;
        break;
      case '--':
        break;
      default:
        throw new Error(`Unknown option "${arg}".\n${USAGE}`);
    }
  }
  return c;
}

/** The runtime-specific half of a server. */
/** Executor options of the offloading server, the same on every runtime: a fixed pool and a bounded queue. */
export function poolOptions(config: Config): { maxWorkers: number; minWorkers: number; maxQueue: number } {
  return { maxWorkers: config.workers, minWorkers: config.workers, maxQueue: config.maxQueue };
}

/**
 * Most tasks one POST /primes keeps submitted at once: enough to keep every
 * worker busy, while half the queue stays free for other requests.
 */
export function streamWindow(config: Config): number {
  return (config.mode === 'blocking' ? 1 : config.workers) + Math.floor(config.maxQueue / 2);
}

export interface Platform {
  runtime: 'node' | 'deno' | 'bun';
  /** The worker-pool executor of this runtime's Offload backend. */
  createPool(config: Config): Executor<Tasks> | Promise<Executor<Tasks>>;
  /** Start listening; resolve with the bound port and a function that stops accepting and resolves when open connections are done. */
  listen(app: ServerApp, config: Config): Promise<{ port: number; close(): Promise<void>; forceClose(): void }>;
  /** Call `handler` once on SIGINT or SIGTERM. */
  onSignal(handler: (signal: string) => void): void;
  exit(code: number): never | void;
}

/** One JSON line on stdout: the tests and the load script read these. */
export function log(event: string, data: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ event, ...data }));
}

const sleep = (ms: number) =>
  new Promise<'timeout'>((resolve) => {
    setTimeout(() => resolve('timeout'), ms);
  });

/**
 * Start the server: build the executor (pool or inline), the app, listen,
 * and install graceful shutdown.
 */
export async function start(platform: Platform, config: Config): Promise<void> {
  let executor: Executor<Tasks> | undefined;
  let listening: Awaited<ReturnType<Platform['listen']>> | undefined;
  let server: ServerApp | undefined;
  let stopping = false;

  // Listen for signals first: Deno installs its handler asynchronously, and a
  // SIGTERM that arrives while starting must still shut down cleanly.
  platform.onSignal(async (signal) => {
    if (stopping) return;
    stopping = true;
    const t0 = performance.now();
    // 1. Stop accepting connections and new requests on open ones (they are answered 503 and closed);
    //    requests already in flight keep going, and their answers close their connections.
    server?.drain();
    const closed = listening ? listening.close() : Promise.resolve();
    log('draining', { signal, inflight: server?.inflight() ?? 0, ...pick(executor) });
    // 2. Let them finish, within the bound.
    const graceful = (await Promise.race([closed.then(() => 'closed' as const), sleep(config.shutdownTimeout)])) === 'closed';
    // 3. Shut the executor down: wait for what is left, or cancel it if the bound was hit.
    const left = Math.max(0, config.shutdownTimeout - (performance.now() - t0));
    const stopped = executor?.shutdown({ cancelPending: !graceful, cancelRunning: !graceful }) ?? Promise.resolve();
    const clean = graceful && (await Promise.race([stopped.then(() => 'done' as const), sleep(left)])) === 'done';
    if (!clean) {
      listening?.forceClose();
      await Promise.race([executor?.shutdown({ cancelPending: true, cancelRunning: true }), sleep(1000)]);
    }
    log('stopped', { graceful: clean, ms: Math.round(performance.now() - t0), ...pick(executor) });
    platform.exit(clean ? 0 : 1);
  });

  if (config.backend === 'bullmq' && platform.runtime !== 'node')
    throw new Error(`--backend bullmq runs on Node only (BullMQ and ioredis are Node libraries); this is ${platform.runtime}.`);
  executor =
    config.mode === 'blocking'
      ? // Same contract, but the tasks run on this thread: the event loop stalls while they run.
        createInlineExecutor<Tasks>(tasks, { maxWorkers: 1, maxQueue: config.maxQueue })
      : await platform.createPool(config);
  server = createApp({ executor, runtime: platform.runtime, mode: config.mode, streamWindow: streamWindow(config) });
  if (stopping) return;
  listening = await platform.listen(server, config);
  log('listening', {
    url: `http://${config.host}:${listening.port}`,
    port: listening.port,
    runtime: platform.runtime,
    mode: config.mode,
    workers: config.mode === 'blocking' ? 0 : config.workers,
    maxQueue: config.maxQueue,
  });
}

const pick = (executor: Executor<Tasks> | undefined) => {
  const s = executor?.stats();
  return s ? { queued: s.queued, running: s.running, completed: s.completed, cancelled: s.cancelled } : {};
};
