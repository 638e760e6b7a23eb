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
  type LocalRedis as TestRedis,
  REDIS_SERVER,
  redisMissing,
  startRawWorkerProcess,
  startRedis,
  startWorkerProcess,
  stopChild,
} from '../support/local-cluster.js';

/** CI or OFFLOAD_REQUIRE_RUNTIMES: a missing redis-server is a failure, not a skip. */
export const required = Boolean(process.env.CI || process.env.OFFLOAD_REQUIRE_RUNTIMES);

/**
 * For one describe block: a redis-server, one `offload-worker` process serving
 * `module` on `queue` (2 slots) and a temporary directory, started before its
 * tests and stopped after them. `why` is why Redis cannot run here, if it cannot.
 */
export function workerMachine(queue: string, module: URL, why: string | undefined): { readonly url: string; readonly dir: string } {
  let redis: LocalRedis | undefined;
  let worker: ChildProcess | undefined;
  let dir = '';
  beforeAll(async () => {
    if (why) throw new Error(`redis-server is required (CI or OFFLOAD_REQUIRE_RUNTIMES is set) but missing: ${why}`);
    dir = mkdtempSync(join(tmpdir(), `offload-${queue}-`));
    redis = await startRedis();
    worker = await startWorkerProcess({ url: redis.url, queue, module: fileURLToPath(module), concurrency: 2 });
  }, 60_000);
  afterAll(async () => {
    if (worker) await stopChild(worker);
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
  };
}
