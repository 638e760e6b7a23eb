/**
 * A local cluster for the tests and the bench: a real redis-server on a free
 * port in a temporary directory, `offload-worker` processes and plain BullMQ
 * worker processes, each a separate OS process (as a worker machine would be).
 * Everything started here is stopped by its `stop()`, and killed if this
 * process exits (or is interrupted) first. Not part of the published package.
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Path of the redis-server binary (REDIS_SERVER overrides). */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

/** Why Redis cannot run here, or undefined when it can. */
export function redisMissing(): string | undefined {
  const r = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `${REDIS_SERVER} not found (${r.error.message}); apt-get install redis-server, or set REDIS_SERVER`;
  if (r.status !== 0) return `${REDIS_SERVER} --version failed (exit ${r.status})`;
  return undefined;
}

/** Children still running, killed if this process exits before stopping them. */
const live = new Set<ChildProcess>();
/** Temporary directories of running redis-servers, removed at exit. */
const dirs = new Set<string>();

function killLeftovers(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

let guarded = false;
/** On exit, and on SIGINT/SIGTERM when nothing else handles them, kill what is left (then die of the signal as usual). */
function guardExit(): void {
  if (guarded) return;
  guarded = true;
  process.once('exit', killLeftovers);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = () => {
      killLeftovers();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.once(signal, onSignal);
  }
}

function track(child: ChildProcess): ChildProcess {
  guardExit();
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** A TCP port free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Wait until a child prints `text` on stdout, or fail (with what it printed) after `ms`; on failure the child is killed. */
function waitFor(child: ChildProcess, text: string, ms: number, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let out = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${what} ${why}: ${out.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${ms} ms`), ms);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => fail(`exited with ${code} before it was ready`);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-4000);
    });
    child.once('exit', onExit);
  });
}

/** Stop a child: SIGTERM, then SIGKILL after `graceMs`. Resolves when it is gone. */
export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A redis-server of our own. */
export interface LocalRedis {
  url: string;
  port: number;
  /** Stop it and remove its directory. */
  stop(): Promise<void>;
  /** Stop it and start it again on the same port (its data is gone: no persistence). */
  restart(): Promise<void>;
}

/** Start `redis-server --port <free> --dir <tmp> --save '' --appendonly no`. */
export async function startRedis(): Promise<LocalRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'offload-redis-'));
  dirs.add(dir);
  let child: ChildProcess;
  const launch = async () => {
    child = track(
      spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    await waitFor(child, 'Ready to accept connections', 10_000, 'redis-server');
  };
  try {
    await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    dirs.delete(dir);
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
    async restart() {
      await stopChild(child);
      await launch();
    },
  };
}

/** The built `offload-worker` CLI. */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Start `offload-worker` (this package's built CLI) as its own OS process. */
export async function startWorkerProcess(opts: {
  url: string;
  queue: string;
  module: string;
  root?: string;
  concurrency?: number;
  stalledInterval?: number;
  lockDuration?: number;
  /** Variables added to its environment (its worker threads see them too). */
  env?: Record<string, string>;
}): Promise<ChildProcess> {
  const args = [CLI, '--queue', opts.queue, '--redis', opts.url, '--concurrency', String(opts.concurrency ?? 4)];
  if (opts.root) args.push('--root', opts.root);
  if (opts.stalledInterval) args.push('--stalled-interval', String(opts.stalledInterval));
  if (opts.lockDuration) args.push('--lock-duration', String(opts.lockDuration));
  args.push(opts.module);
  const child = track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } }));
  await waitFor(child, 'offload-worker: serving', 20_000, 'offload-worker');
  return child;
}

const RAW_WORKER = fileURLToPath(new URL('./raw-worker.mjs', import.meta.url));

/**
 * Start a plain BullMQ Worker process (nothing of Offload) whose processor returns `job.data.x + 1`, one job
 * at a time: on BullMQ's event loop, or with `sandboxed` as a sandboxed processor in a worker thread.
 */
export async function startRawWorkerProcess(opts: { url: string; queue: string; sandboxed?: boolean }): Promise<ChildProcess> {
  const args = [RAW_WORKER, opts.queue, opts.url, ...(opts.sandboxed ? ['sandboxed'] : [])];
  const child = track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  await waitFor(child, 'raw worker: serving', 20_000, 'raw BullMQ worker');
  return child;
}

const SPLIT_WORKER = fileURLToPath(new URL('./split-worker.mjs', import.meta.url));

/**
 * Start a plain BullMQ Worker process that takes jobs as an Offload executor writes them (for
 * bench/worker-split.ts): `plain` runs the task on BullMQ's event loop, `hop` in a node-worker thread.
 */
export async function startSplitWorkerProcess(opts: { url: string; queue: string; mode: 'plain' | 'hop'; module: string }): Promise<ChildProcess> {
  const child = track(spawn(process.execPath, [SPLIT_WORKER, opts.queue, opts.url, opts.mode, opts.module], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await waitFor(child, 'split worker: serving', 20_000, 'split BullMQ worker');
  return child;
}
