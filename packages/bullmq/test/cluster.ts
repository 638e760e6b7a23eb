/**
 * Test helpers: the local cluster of support/local-cluster.ts (a real
 * redis-server and worker processes, shared with the bench), and whether a
 * missing redis-server is a skip or a failure.
 */
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
