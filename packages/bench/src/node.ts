/**
 * Node's adapter entries (Offload backends, peers, raw floors), its machine
 * facts and its memory probe. One small entry per backend: adding a backend
 * is adding an entry here.
 * @module
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { createExecutor as createNodeWorkerExecutor } from '@offload/node-worker';
import { Piscina } from 'piscina';
import { FixedClusterPool, FixedThreadPool } from 'poolifier';
import { Tinypool } from 'tinypool';
import workerpool from 'workerpool';
import { type Adapter, type CreateExecutorLike, offloadAdapter, rawPool } from './adapter.js';
import type { LagProbe } from './mixed.js';
import type { Machine } from './results.js';

/** The Offload task module (built). */
export const TASKS_URL = new URL('./tasks.js', import.meta.url);
const PEER_TASKS = new URL('./peer-tasks.js', import.meta.url);
const PEER_WORKERPOOL = fileURLToPath(new URL('./peer-workerpool.js', import.meta.url));
const PEER_POOLIFIER_THREAD = fileURLToPath(new URL('./peer-poolifier-thread.js', import.meta.url));
const PEER_POOLIFIER_CLUSTER = fileURLToPath(new URL('./peer-poolifier-cluster.cjs', import.meta.url));
const RAW_THREAD = new URL('./raw-thread.js', import.meta.url);
const RAW_IPC = fileURLToPath(new URL('./raw-ipc.js', import.meta.url));

/**
 * Node options of every worker and child process of every pool. The app runs
 * under tsx, whose loader flags workers would otherwise inherit (and pay for
 * at start-up): everything here loads built .js files.
 */
const NO_EXEC_ARGV: string[] = [];

/** Import an optional workspace backend; undefined when it is not built yet. */
async function optionalBackend(specifier: string): Promise<CreateExecutorLike | undefined> {
  try {
    const mod = (await import(specifier)) as { createExecutor?: CreateExecutorLike };
    return typeof mod.createExecutor === 'function' ? mod.createExecutor : undefined;
  } catch {
    return undefined;
  }
}

/** Offload backends on Node: `[name, isolation, package]`. */
const OFFLOAD_NODE: [string, 'thread' | 'process', string][] = [
  ['node-worker', 'thread', '@offload/node-worker'],
  ['child-process', 'process', '@offload/child-process'],
];

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

let roomMade = false;

/**
 * Tinypool's child_process runtime pipes each child's stdout and stderr into
 * this process's, and raises their listener limit by one per child; children
 * of a destroyed pool unpipe only when they exit, so while the scaling step
 * creates and closes pools, stdout and stderr (a file: a SyncWriteStream) carry
 * more listeners than the limit and Node prints eight MaxListenersExceededWarning
 * lines. That is the peer's bookkeeping, not a leak: give them room, once.
 */
function roomForPipedChildren(): void {
  if (roomMade) return;
  roomMade = true;
  for (const stream of [process.stdout, process.stderr]) stream.setMaxListeners(stream.getMaxListeners() + 16);
}

/** The peers and raw floors on Node. */
export const NODE_PEERS: Adapter[] = [
  {
    name: 'tinypool',
    kind: 'peer',
    isolation: 'thread',
    create: (workers) => {
      const pool = new Tinypool({ filename: PEER_TASKS.href, minThreads: workers, maxThreads: workers, isolateWorkers: false, execArgv: NO_EXEC_ARGV });
      return { run: (task, arg) => pool.run(arg, { name: task }), close: () => pool.destroy() };
    },
  },
  {
    name: 'tinypool-child_process',
    kind: 'peer',
    isolation: 'process',
    create: (workers) => {
      roomForPipedChildren();
      const pool = new Tinypool({
        filename: PEER_TASKS.href,
        runtime: 'child_process',
        minThreads: workers,
        maxThreads: workers,
        isolateWorkers: false,
        execArgv: NO_EXEC_ARGV,
      });
      return { run: (task, arg) => pool.run(arg, { name: task }), close: () => pool.destroy() };
    },
  },
  {
    name: 'piscina',
    kind: 'peer',
    isolation: 'thread',
    create: (workers) => {
      const pool = new Piscina({ filename: PEER_TASKS.href, minThreads: workers, maxThreads: workers, idleTimeout: 60_000, execArgv: NO_EXEC_ARGV });
      return { run: (task, arg) => pool.run(arg, { name: task }), close: () => pool.destroy() };
    },
  },
  {
    name: 'poolifier',
    kind: 'peer',
    isolation: 'thread',
    create: (workers) => {
      const pool = new FixedThreadPool(workers, PEER_POOLIFIER_THREAD, { workerOptions: { execArgv: NO_EXEC_ARGV } });
      return { run: (task, arg) => pool.execute(arg, task), close: () => pool.destroy() };
    },
  },
  {
    name: 'poolifier-cluster',
    kind: 'peer',
    isolation: 'process',
    create: (workers) => {
      // cluster.fork() serializes with JSON unless told otherwise; the byte workloads need structured clone.
      const pool = new FixedClusterPool(workers, PEER_POOLIFIER_CLUSTER, { settings: { serialization: 'advanced', execArgv: NO_EXEC_ARGV } });
      return { run: (task, arg) => pool.execute(arg, task), close: () => pool.destroy() };
    },
  },
  {
    name: 'workerpool',
    kind: 'peer',
    isolation: 'thread',
    create: (workers) => {
      const pool = workerpool.pool(PEER_WORKERPOOL, {
        minWorkers: workers,
        maxWorkers: workers,
        workerType: 'thread',
        workerThreadOpts: { execArgv: NO_EXEC_ARGV },
      });
      return { run: (task, arg) => Promise.resolve(pool.exec(task, [arg])), close: async () => void (await pool.terminate()) };
    },
  },
  {
    name: 'workerpool-process',
    kind: 'peer',
    isolation: 'process',
    create: (workers) => {
      const pool = workerpool.pool(PEER_WORKERPOOL, {
        minWorkers: workers,
        maxWorkers: workers,
        workerType: 'process',
        forkOpts: { serialization: 'advanced', execArgv: NO_EXEC_ARGV } as never,
      });
      return { run: (task, arg) => Promise.resolve(pool.exec(task, [arg])), close: async () => void (await pool.terminate()) };
    },
  },
];

/** Raw floors: plain worker_threads postMessage and plain child_process IPC. */
export const NODE_RAW: Adapter[] = [
  {
    name: 'raw-postMessage',
    kind: 'raw',
    isolation: 'thread',
    create: (workers, o) =>
      rawPool(
        () => {
          const w = new Worker(RAW_THREAD, { execArgv: NO_EXEC_ARGV });
          return { post: (m) => w.postMessage(m), onMessage: (fn) => w.on('message', fn), terminate: () => w.terminate() };
        },
        workers,
        o?.pipelined ?? false,
      ),
  },
  {
    name: 'raw-ipc',
    kind: 'raw',
    isolation: 'process',
    create: (workers, o) =>
      rawPool(
        () => {
          const c = fork(RAW_IPC, [], { serialization: 'advanced', execArgv: NO_EXEC_ARGV, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
          return {
            post: (m) => c.send(m as never),
            onMessage: (fn) => c.on('message', fn),
            terminate: () => {
              const done = exitOf(c);
              c.kill();
              return done;
            },
          };
        },
        workers,
        o?.pipelined ?? false,
      ),
  },
];

/** Every Node adapter that is available now (Offload backends not yet built are left out, with a note). */
export async function nodeAdapters(notes: string[]): Promise<Adapter[]> {
  const out: Adapter[] = [];
  for (const [name, isolation, pkg] of OFFLOAD_NODE) {
    const create = name === 'node-worker' ? (createNodeWorkerExecutor as CreateExecutorLike) : await optionalBackend(pkg);
    if (create) out.push(offloadAdapter(name, isolation, create, TASKS_URL, { execArgv: NO_EXEC_ARGV }));
    else notes.push(`node: ${pkg} is not built (no dist); its rows are skipped`);
  }
  return [...out, ...NODE_PEERS, ...NODE_RAW];
}

/**
 * Proportional set size of a process (bytes): its private pages plus its share of
 * pages shared with other processes (`Pss` of /proc/<pid>/smaps_rollup), so that a
 * forked child is not charged the whole Node binary it shares with its parent.
 * Falls back to the resident set size (statm) where smaps_rollup is missing.
 */
export function pssOf(pid: number | 'self'): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) for (const c of text.split(/\s+/)) out.push(Number(c));
    }
  } catch {}
  return out;
}

let gc: (() => void) | undefined;

/** Memory of this process and every descendant: the sum of their PSS (Linux /proc; RSS of this process elsewhere). */
export function nodeMemory(): number {
  // Collect the main thread's garbage first, so that it does not hide (or fake) what the workers add.
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  if (process.platform !== 'linux') return process.memoryUsage().rss;
  let total = pssOf('self');
  const stack = childrenOf(process.pid);
  while (stack.length) {
    const pid = stack.pop() as number;
    total += pssOf(pid);
    stack.push(...childrenOf(pid));
  }
  return total;
}

/** Facts about this machine; runtime versions are added by the caller. */
export function machineFacts(runtimes: Record<string, string> = {}): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    runtimes: { node: process.versions.node, v8: process.versions.v8, ...runtimes },
  };
}

/** The resolution of Node's lag probe, in ms (perf_hooks' default). */
const LAG_RESOLUTION_MS = 10;

/**
 * Lag from a `monitorEventLoopDelay` histogram, in ms. The histogram records the
 * whole time between two of its timer's runs (about `resolutionMs` on an idle
 * loop, not about 0), so the lag is that less the resolution.
 */
export function lagOfHistogram(h: { percentile(p: number): number; max: number }, resolutionMs: number): { p99: number; max: number } {
  const lag = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs);
  return { p99: lag(h.percentile(99)), max: lag(h.max) };
}

/** Node's event-loop lag probe for the mixed scenario: perf_hooks' monitorEventLoopDelay at its default 10 ms resolution. */
export const nodeLagProbe: LagProbe = () => {
  const h = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  h.enable();
  return {
    stop() {
      h.disable();
      return lagOfHistogram(h, LAG_RESOLUTION_MS);
    },
  };
};
