/**
 * Bun entry: Bun.serve + the Deno/Bun Web Worker backend. Bun runs the
 * TypeScript sources directly, workers included:
 *   bun src/bun.ts [--port 3000] [--blocking]
 */
import { type Platform, parseConfig, poolOptions, start } from './config.ts';
import type { Tasks } from './tasks.ts';

// The few Bun APIs used here (the app's tsconfig loads Node's types, not Bun's).
declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    /** Seconds a connection may stay silent; a queued fib can take a while. */
    idleTimeout: number;
    fetch: (request: Request) => Response | Promise<Response>;
  }): { port: number; stop(closeActiveConnections?: boolean): Promise<void> };
};

const platform: Platform = {
  runtime: 'bun',
  createPool: async (config) => {
    // Imported only when needed: --blocking runs without the backend.
    const { createExecutor } = await import('@offload/deno-bun');
    return createExecutor<Tasks>(new URL('./tasks.ts', import.meta.url), poolOptions(config));
  },
  listen: async (server, config) => {
    const http = Bun.serve({ hostname: config.host, port: config.port, idleTimeout: 120, fetch: server.app.fetch });
    return {
      port: http.port,
      // Stops accepting at once; resolves when in-flight requests have finished.
      close: () => http.stop(false),
      forceClose: () => void http.stop(true),
    };
  },
  onSignal: (handler) => {
    process.once('SIGINT', () => handler('SIGINT'));
    process.once('SIGTERM', () => handler('SIGTERM'));
  },
  exit: (code) => process.exit(code),
};

try {
  await start(platform, parseConfig(process.argv.slice(2), process.env, navigator.hardwareConcurrency));
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
}
