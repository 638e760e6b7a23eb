import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BullExecutorOptions, capabilities, createExecutor } from '@offload/bullmq';
import { cases } from '@offload/conformance';
import { registerConformance } from '@offload/conformance/vitest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { redisMissing, required, startRedis, startWorkerProcess, stopChild, type TestRedis } from './cluster.js';

const fixtures = new URL('../../conformance/dist/fixtures/', import.meta.url);
const NAME = 'bullmq@node';
const why = redisMissing();

if (why) {
  if (!required) console.log(`[offload] skipping conformance ${NAME}: ${why}. Set OFFLOAD_REQUIRE_RUNTIMES=1 to make this a failure.`);
  describe(`conformance ${NAME}`, () => {
    for (const c of cases) {
      if (required) {
        it(c.name, () => {
          throw new Error(`redis-server is required (CI or OFFLOAD_REQUIRE_RUNTIMES is set) but missing: ${why}`);
        });
      } else it.skip(c.name, () => {});
    }
  });
} else {
  let redis: TestRedis | undefined;
  const workers: ChildProcess[] = [];
  const queue = 'conformance';

  beforeAll(async () => {
    redis = await startRedis();
    // Two worker processes, as two machines would run them; each serves every fixture module.
    const root = fileURLToPath(fixtures);
    for (let i = 0; i < 2; i++) {
      workers.push(await startWorkerProcess({ url: redis.url, queue, module: fileURLToPath(new URL('tasks.js', fixtures)), root, concurrency: 4 }));
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => stopChild(w)));
    await redis?.stop();
  }, 30_000);

  registerConformance({
    name: NAME,
    capabilities,
    flags: { bootstrap: true, processExit: true },
    fixture: (name) => new URL(`${name}.js`, fixtures),
    create: (module, options) => createExecutor(module, { ...options, connection: (redis as TestRedis).url, queue }),
    // The caller's own bound over BullMQ: jobs it keeps in the queue at once; the rest wait in it, by priority.
    slots: (n) => {
      const options: Omit<BullExecutorOptions, 'connection' | 'queue'> = { maxInFlight: n };
      return options;
    },
    exitsAfterShutdown: () =>
      new Promise((resolve) => {
        const program = fileURLToPath(new URL('./exit-program.mjs', import.meta.url));
        const child = spawn(process.execPath, [program, new URL('tasks.js', fixtures).href, (redis as TestRedis).url, queue], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.on('exit', (code, signal) => {
          clearTimeout(timer);
          resolve({ exited: code === 0, detail: `exit code ${code}, signal ${signal}: ${stderr.slice(-1000)}` });
        });
      }),
  });
}
