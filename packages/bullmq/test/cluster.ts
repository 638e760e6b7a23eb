/**
 * Test helpers: a real redis-server on a free port in a temporary directory,
 * and `offload-worker` processes, each stopped after the tests whatever happened.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Path of the redis-server binary (REDIS_SERVER overrides). */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';
/** CI or OFFLOAD_REQUIRE_RUNTIMES: a missing redis-server is a failure, not a skip. */
export const required = Boolean(process.env.CI || process.env.OFFLOAD_REQUIRE_RUNTIMES);

/** Why Redis cannot run here, or undefined when it can. */
export function redisMissing(): string | undefined {
  const r = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `${REDIS_SERVER} not found (${r.error.message}); apt-get install redis-server, or set REDIS_SERVER`;
  if (r.status !== 0) return `${REDIS_SERVER} --version failed (exit ${r.status})`;
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Wait until a child prints `text` on stdout, or fail (with what it printed) after `ms`. */
function waitFor(child: ChildProcess, text: string, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${ms} ms: ${out.slice(-2000)}`)), ms);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready: ${out.slice(-2000)}`));
    });
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

/** A redis-server of the tests' own. */
export interface TestRedis {
  url: string;
  port: number;
  /** Stop it and remove its directory. */
  stop(): Promise<void>;
  /** Stop it and start it again on the same port (its data is gone: no persistence). */
  restart(): Promise<void>;
}

/** Start `redis-server --port <free> --dir <tmp> --save '' --appendonly no`. */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'offload-redis-'));
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitFor(child, 'Ready to accept connections', 10_000, 'redis-server');
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await stopChild(child);
      await launch();
    },
  };
}

/** The built `offload-worker` CLI. */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Start `offload-worker` as its own OS process (as a worker machine would run it). */
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
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  await waitFor(child, 'offload-worker: serving', 20_000, 'offload-worker');
  return child;
}
