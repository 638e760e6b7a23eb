/**
 * Node entry: @hono/node-server + the worker_threads backend.
 *   tsx src/node.ts [--port 3000] [--blocking] [--workers n] [--max-queue n] [--backend bullmq --redis url --queue name]
 */
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { serve } from '@hono/node-server';
import { createExecutor } from '@offload/node-worker';
import { type Platform, parseConfig, poolOptions, start } from './config.ts';
import type { Tasks } from './tasks.ts';

/**
 * The task module each worker loads: the sibling of this file, so src/node.ts
 * (under tsx) uses src/tasks.ts (node-worker loads it through tsx in each
 * worker) and dist/node.js uses dist/tasks.js.
 */
const taskModule = (): URL => new URL(import.meta.url.endsWith('.ts') ? './tasks.ts' : './tasks.js', import.meta.url);

const platform: Platform = {
  runtime: 'node',
  createPool: async (config) => {
    if (config.backend === 'local') return createExecutor<Tasks>(taskModule(), poolOptions(config));
    // Tasks as BullMQ jobs, run by `offload-worker --queue <queue> --redis <url> src/tasks.ts` on any machine.
    // --workers bounds the jobs in BullMQ at once (maxWorkers would be ignored: the threads are the
    // worker machines'); --max-queue the tasks held back beyond them, as with the local pool.
    const bullmq = await import('@offload/bullmq');
    return bullmq.createExecutor<Tasks>(taskModule(), {
      connection: config.redis,
      queue: config.queue,
      maxInFlight: config.workers,
      maxQueue: config.maxQueue,
    });
  },
  listen: (server, config) =>
    new Promise((resolve, reject) => {
      const http = serve({ fetch: server.app.fetch, hostname: config.host, port: config.port }, (info: AddressInfo) => {
        const node = http as import('node:http').Server;
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              node.close(() => done());
              // close() ends idle keep-alive sockets once; end those that become idle later too.
              const timer = setInterval(() => node.closeIdleConnections(), 50);
              node.once('close', () => clearInterval(timer));
            }),
          forceClose: () => node.closeAllConnections(),
        });
      });
      http.once('error', reject);
    }),
  onSignal: (handler) => {
    process.once('SIGINT', () => handler('SIGINT'));
    process.once('SIGTERM', () => handler('SIGTERM'));
  },
  exit: (code) => process.exit(code),
};

try {
  await start(platform, parseConfig(process.argv.slice(2), process.env, availableParallelism()));
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
}
