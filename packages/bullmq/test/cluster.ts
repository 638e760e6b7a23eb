/**
 * Test helpers: the local cluster of support/local-cluster.ts (a real
 * redis-server and worker processes, shared with the bench), and whether a
 * missing redis-server is a skip or a failure.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { type LocalRedis, startRedis, startWorkerProcess, stopChild } from '../support/local-cluster.js';

export {
  CLI,
  freePort,
  type LocalRedis as TestRedis,
  REDIS_SERVER,
  redisMissing,
  startRawWorkerProcess,
  startRedis,
  startSplitWorkerProcess,
  startWorkerProcess,
  stopChild,
} from '../support/local-cluster.js';

/** CI or OFFLOAD_REQUIRE_RUNTIMES: a missing redis-server is a failure, not a skip. */
export const required = Boolean(process.env.CI || process.env.OFFLOAD_REQUIRE_RUNTIMES);

/** What {@link redisForBlock} gives a describe block. */
export interface RedisBlock {
  /** The redis-server's URL (once the block's tests run). */
  readonly url: string;
  /** A temporary directory of the block. */
  readonly dir: string;
  /** Stop `child` (a worker process) with the redis-server after the block's tests; returns it. */
  keep(child: ChildProcess): ChildProcess;
  /** Stop the redis-server and start it again on the same port (its data is gone). */
  restart(): Promise<void>;
}

/**
 * For one describe block: a redis-server and a temporary directory, started
 * before its tests and, after them, stopped and removed with every process
 * given to `keep()`. `why` is why Redis cannot run here, if it cannot.
 */
export function redisForBlock(name: string, why: string | undefined): RedisBlock {
  let redis: LocalRedis | undefined;
  const children: ChildProcess[] = [];
  let dir = '';
  beforeAll(async () => {
    if (why) throw new Error(`redis-server is required (CI or OFFLOAD_REQUIRE_RUNTIMES is set) but missing: ${why}`);
    dir = mkdtempSync(join(tmpdir(), `offload-${name}-`));
    redis = await startRedis();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(children.map((c) => stopChild(c)));
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);
  return {
    get url() {
      return (redis as LocalRedis).url;
    },
    get dir() {
      return dir;
    },
    keep(child) {
      children.push(child);
      return child;
    },
    restart: () => (redis as LocalRedis).restart(),
  };
}

/**
 * For one describe block: {@link redisForBlock} and one `offload-worker`
 * process serving `module` on `queue` (2 slots), started before its tests and
 * stopped after them.
 */
export function workerMachine(queue: string, module: URL, why: string | undefined): { readonly url: string; readonly dir: string } {
  const block = redisForBlock(queue, why);
  beforeAll(async () => {
    block.keep(await startWorkerProcess({ url: block.url, queue, module: fileURLToPath(module), concurrency: 2 }));
  }, 60_000);
  return block;
}
