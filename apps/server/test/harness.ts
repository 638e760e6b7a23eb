/**
 * What the end-to-end suites share: starting the real server as a child
 * process on a free port (--port 0; the server prints the port it got),
 * talking HTTP to it over loopback connections (fresh ones unless a keep-alive
 * agent is given), and the runtime's server command. The suites kill their
 * server in afterAll whatever happened.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type Agent, request as httpRequest } from 'node:http';
import { describe, it } from 'vitest';
import { APP_DIR, type Runtime, serverCommand } from '../src/runtimes.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed as a JSON object. */
  json(): Record<string, unknown>;
}

export interface RequestOptions {
  method?: string;
  body?: string;
  /** Request headers; a body without a content-type is sent as application/json. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** A keep-alive agent to reuse connections; by default each request has its own connection. */
  agent?: Agent;
}

/** One request; without an `agent`, on its own connection (no keep-alive pool), so a disconnect is a real disconnect. */
export function request(port: number, path: string, { method = 'GET', body, headers = {}, signal, agent }: RequestOptions = {}): Promise<Reply> {
  const sent =
    body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type') ? { 'content-type': 'application/json', ...headers } : headers;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: agent ?? false, signal, headers: sent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) }));
      res.on('error', reject);
    });
    req.on('error', (e: NodeJS.ErrnoException & { reusedSocket?: boolean }) => {
      e.reusedSocket = req.reusedSocket;
      reject(e);
    });
    req.end(body);
  });
}

/** One request on its own connection; a body is sent as application/json. */
export function http(port: number, method: string, path: string, body?: string, signal?: AbortSignal): Promise<Reply> {
  return request(port, path, { method, body, signal });
}

export interface Server {
  port: number;
  child: ChildProcess;
  /** JSON lines the server printed on stdout ({ event: ... }). */
  events: Array<Record<string, unknown>>;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(event: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  get(path: string, signal?: AbortSignal): Promise<Reply>;
  post(path: string, body: string): Promise<Reply>;
  stats(): Promise<Record<string, number>>;
  kill(): void;
}

export async function startServer(command: string, args: string[]): Promise<Server> {
  const child = spawn(command, args, { cwd: APP_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let err = '';
  let buf = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        events.push(JSON.parse(line));
        for (const w of waiters.splice(0)) w();
      } catch {
        // not one of ours
      }
      nl = buf.indexOf('\n');
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close', not 'exit': stdout is fully read by then, so no event line is lost.
    child.once('close', (code, signal) => {
      resolve({ code, signal });
      for (const w of waiters.splice(0)) w();
    });
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const waitFor = async (event: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events.find((e) => e.event === event);
      if (found) return found;
      if (gone) throw new Error(`server exited before "${event}"; stderr:\n${err}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${event}" from the server within ${timeoutMs} ms; stderr:\n${err}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  };
  const server: Server = {
    port: 0,
    child,
    events,
    stderr: () => err,
    exited,
    waitFor,
    get: (path, signal) => http(server.port, 'GET', path, undefined, signal),
    post: (path, body) => http(server.port, 'POST', path, body),
    stats: async () => (await http(server.port, 'GET', '/stats')).json() as Record<string, number>,
    kill: () => {
      if (!gone) child.kill('SIGKILL');
    },
  };
  try {
    server.port = (await waitFor('listening')).port as number;
  } catch (e) {
    server.kill();
    throw e;
  }
  return server;
}

/** Poll /stats until `ok` holds (state, not time: the deadline only bounds a failure). */
export async function until(server: Server, ok: (s: Record<string, number>) => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await server.stats();
    if (ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last /stats: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The command that starts the test server on one runtime (2 workers, a queue of 8). */
export type ServerCommand = { command: string; args: string[]; version: string };

/**
 * Define suites for `runtime` with its server command. Deno and Bun need their
 * binaries: missing one fails the suite when $CI is set and skips it (saying
 * why) otherwise.
 */
export function withServerCommand(runtime: Runtime, define: (found: ServerCommand) => void): void {
  const found = serverCommand(runtime, ['--port', '0', '--workers', '2', '--max-queue', '8', '--shutdown-timeout', '20000']);
  if (found.ok) {
    define(found);
  } else if (process.env.CI) {
    describe(`server on ${runtime}`, () => {
      it(`needs the ${runtime} binary (CI is set, so a missing runtime is a failure)`, () => {
        throw new Error(found.reason);
      });
    });
  } else {
    describe.skip(`server on ${runtime} (skipped: ${found.reason}; set CI=1 to make this a failure)`, () => {
      it('is skipped', () => {});
    });
  }
}

/** The same command with one option's value replaced. */
export const withOption = (found: ServerCommand, option: string, value: string): string[] =>
  found.args.map((a, i) => (found.args[i - 1] === option ? value : a));
