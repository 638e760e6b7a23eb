/**
 * Deno entry: Deno.serve + the Deno/Bun Web Worker backend. Deno runs the
 * TypeScript sources as they are (imports name .ts files, so no --sloppy-imports):
 *   deno run --allow-net --allow-read --allow-env src/deno.ts [--port 3000] [--blocking]
 */
import { type Platform, parseConfig, poolOptions, start } from './config.ts';
import type { Tasks } from './tasks.ts';

// The few Deno APIs used here (the app's tsconfig loads Node's types, not Deno's).
declare const Deno: {
  args: string[];
  env: { get(name: string): string | undefined };
  serve(
    options: { hostname: string; port: number; onListen(addr: { port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { shutdown(): Promise<void> };
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  exit(code: number): never;
};

const platform: Platform = {
  runtime: 'deno',
  createPool: async (config) => {
    // Imported only when needed: --blocking runs without the backend.
    const { createExecutor } = await import('@offload/deno-bun');
    return createExecutor<Tasks>(new URL('./tasks.ts', import.meta.url), poolOptions(config));
  },
  listen: (server, config) =>
    new Promise((resolve) => {
      const http = Deno.serve(
        {
          hostname: config.host,
          port: config.port,
          onListen: ({ port }) =>
            resolve({
              port,
              // Stops accepting at once; resolves when pending requests have finished.
              close: () => http.shutdown(),
              // Deno has no "drop every connection"; exiting the process does it.
              forceClose: () => {},
            }),
        },
        server.app.fetch,
      );
    }),
  onSignal: (handler) => {
    Deno.addSignalListener('SIGINT', () => handler('SIGINT'));
    Deno.addSignalListener('SIGTERM', () => handler('SIGTERM'));
  },
  exit: (code) => Deno.exit(code),
};

let port: string | undefined;
try {
  port = Deno.env.get('PORT');
} catch {
  // no --allow-env: ignore $PORT
}
try {
  await start(platform, parseConfig(Deno.args, { PORT: port }, navigator.hardwareConcurrency));
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  Deno.exit(2);
}
