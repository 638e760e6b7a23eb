/**
 * Node entry: @hono/node-server + the worker_threads backend.
 *   tsx src/node.ts [--port 3000] [--blocking] [--workers n] [--max-queue n]
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { serve } from '@hono/node-server';
import { createExecutor } from '@offload/node-worker';
import { type Platform, parseConfig, start } from './config.ts';
import type { Tasks } from './tasks.ts';

/**
 * The task module each worker loads. From dist/ it is the sibling tasks.js.
 * From src/ (under tsx) it is the built dist/tasks.js when present: worker_threads
 * cannot load .ts by themselves, and @offload/node-worker's tsx hook currently
 * fails to register in the worker (it imports tsx's CJS entry). Without a build,
 * fall back to src/tasks.ts and let node-worker try tsx.
 */
function taskModule(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./tasks.js', import.meta.url);
  const built = new URL('../dist/tasks.js', import.meta.url);
  return existsSync(built) ? built : new URL('./tasks.ts', import.meta.url);
}

const platform: Platform = {
  runtime: 'node',
  createPool: (config) =>
    createExecutor<Tasks>(taskModule(), {
      maxWorkers: config.workers,
      minWorkers: config.workers,
      maxQueue: config.maxQueue,
    }),
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
