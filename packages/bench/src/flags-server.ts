/**
 * The loopback "CDN" of the I/O scenarios (Node only): an HTTP server on
 * 127.0.0.1 that answers `GET /flags/<cc>.gif` with the flag's bytes after a
 * fixed latency, on a few free ports. CORS headers let a page served from
 * another origin (the Chromium runner, cross-origin isolated) fetch from it.
 * No outside network is involved.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { FLAG_CODES, type FlagSource, flagBytes } from './flags.js';

/** How the flags are served. */
export interface FlagsServerOptions {
  /** Delay of every response, in ms. */
  latencyMs: number;
  /** Listening ports (free ones, chosen by the system). Default 4: 24 browser connections, enough for 20 flags at once. */
  ports?: number;
}

/** A running flags server. */
export interface FlagsServer extends FlagSource {
  /** Stop listening and end open connections. */
  close(): Promise<void>;
}

const HEADERS = {
  'access-control-allow-origin': '*',
  'cross-origin-resource-policy': 'cross-origin',
  'cache-control': 'no-store',
};

const FLAGS = new Map(FLAG_CODES.map((cc) => [cc.toLowerCase(), flagBytes(cc)]));

/** Serve the flags on this thread's event loop. */
export async function serveFlags(options: FlagsServerOptions): Promise<FlagsServer> {
  const servers: Server[] = [];
  const handler = (req: { url?: string }, res: import('node:http').ServerResponse) => {
    const m = /^\/flags\/([a-z]{2})\.gif$/.exec(req.url ?? '');
    const body = m ? FLAGS.get(m[1]) : undefined;
    setTimeout(() => {
      if (!body) res.writeHead(404, { ...HEADERS, 'content-type': 'text/plain' }).end('no such flag\n');
      else res.writeHead(200, { ...HEADERS, 'content-type': 'image/gif', 'content-length': body.byteLength }).end(body);
    }, options.latencyMs);
  };
  for (let i = 0; i < (options.ports ?? 4); i++) {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
  }
  return {
    bases: servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`),
    latencyMs: options.latencyMs,
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}

/**
 * Serve the flags from a worker thread: the server keeps answering on time
 * while the bench blocks its own event loop (the mixed scenario's inline CPU
 * work), as a real upstream server would.
 */
export async function startFlagsServerThread(options: FlagsServerOptions): Promise<FlagsServer> {
  const worker = new Worker(new URL('./flags-server-thread.js', import.meta.url), { workerData: options, execArgv: [] });
  const bases = await new Promise<string[]>((resolve, reject) => {
    worker.once('message', (m: string[]) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the flags server thread exited with code ${code}`)));
  });
  worker.unref();
  return {
    bases,
    latencyMs: options.latencyMs,
    close: async () => void (await worker.terminate()),
  };
}
