/**
 * End-to-end suite, run once per runtime: starts the real server as a child
 * process on a free port (--port 0; the server prints the port it got), talks
 * HTTP to it over fresh loopback connections, and kills it in afterAll
 * whatever happened.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR, type Runtime, serverCommand } from '../src/runtimes.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed as a JSON object. */
  json(): Record<string, unknown>;
}

/** One request on its own connection (no keep-alive pool), so a disconnect is a real disconnect. */
export function http(port: number, method: string, path: string, body?: string, signal?: AbortSignal): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, agent: false, signal, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
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

const fibOf = (n: number): number => {
  let [a, b] = [0, 1];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
};

/** The seeds' is_prime candidates. */
const CANDIDATES = [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419, 17, 4];
const PRIME = [true, true, true, true, true, false, true, false];

/** Long enough to still be running while a few other requests come and go. */
const LONG_FIB = 40;

/**
 * The whole suite for one runtime. Deno and Bun need their binaries: missing
 * one fails the suite when $CI is set and skips it (saying why) otherwise.
 */
export function serverSuite(runtime: Runtime): void {
  const found = serverCommand(runtime, ['--port', '0', '--workers', '2', '--max-queue', '8', '--shutdown-timeout', '20000']);
  if (!found.ok) {
    if (process.env.CI) {
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
    return;
  }

  describe(`server on ${runtime} (${found.version})`, { timeout: 30_000 }, () => {
    let server: Server;

    beforeAll(async () => {
      server = await startServer(found.command, found.args);
    }, 60_000);

    afterAll(async () => {
      server?.kill();
      await server?.exited;
    });

    it('GET /health answers ok', async () => {
      const r = await server.get('/health');
      expect(r.status).toBe(200);
      expect(r.json()).toMatchObject({ ok: true, runtime, mode: 'offload' });
    });

    it('GET /fib/:n computes on a worker', async () => {
      for (const n of [0, 1, 20, 30]) {
        const r = await server.get(`/fib/${n}`);
        expect(r.status).toBe(200);
        expect(r.json()).toMatchObject({ n, fib: fibOf(n) });
      }
    });

    it('GET /prime/:n', async () => {
      for (const [n, prime] of [
        [112272535095293, true],
        [1099726899285419, false],
        [17, true],
        [4, false],
        [0, false],
        [2, true],
      ] as const) {
        const r = await server.get(`/prime/${n}`);
        expect(r.status).toBe(200);
        expect(r.json()).toEqual({ n, prime });
      }
    });

    it('POST /primes streams NDJSON, one line per input, each naming its input', async () => {
      const r = await server.post('/primes', JSON.stringify(CANDIDATES));
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toContain('application/x-ndjson');
      const lines = r.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(CANDIDATES.length);
      expect(lines.map((l) => l.index).sort((a, b) => a - b)).toEqual(CANDIDATES.map((_, i) => i));
      for (const l of lines) expect(l).toEqual({ index: l.index, n: CANDIDATES[l.index], prime: PRIME[l.index] });
    });

    it('GET /stats reports the executor', async () => {
      const s = await server.stats();
      expect(s).toMatchObject({ runtime, mode: 'offload', workers: 2 });
      for (const k of ['busyWorkers', 'idleWorkers', 'queued', 'running', 'completed', 'failed', 'cancelled', 'spawnedWorkers']) {
        expect(typeof s[k]).toBe('number');
      }
      expect(s.completed).toBeGreaterThanOrEqual(4 + 6 + CANDIDATES.length);
    });

    it('rejects a bad n with 400 naming the allowed range', async () => {
      for (const bad of ['-1', '43', 'abc', '1.5', '1e3', '00', '%20']) {
        const r = await server.get(`/fib/${bad}`);
        expect(r.status, `/fib/${bad}`).toBe(400);
        expect(r.json()).toMatchObject({ error: 'bad_request', allowed: { min: 0, max: 42 } });
        expect(r.json().message).toContain('from 0 to 42');
      }
      for (const bad of ['9007199254740992', 'x', '-7', '0x11']) {
        const r = await server.get(`/prime/${bad}`);
        expect(r.status, `/prime/${bad}`).toBe(400);
        expect(r.json().message).toContain('from 0 to 9007199254740991');
      }
    });

    it('rejects a POST /primes body that is not a JSON list of safe integers with 400', async () => {
      const tooMany = JSON.stringify(Array.from({ length: 257 }, () => 7));
      for (const body of ['not json', '{}', 'null', '[]', '[1.5]', '["7"]', '[-1]', '[9007199254740992]', '[7, null]', tooMany]) {
        const r = await server.post('/primes', body);
        expect(r.status, body.slice(0, 40)).toBe(400);
        expect(r.json()).toMatchObject({ error: 'bad_request', allowed: { minItems: 1, maxItems: 256, min: 0 } });
        expect(r.json().message).toContain('JSON array of 1 to 256 integers');
      }
    });

    it('answers 404 with the list of routes', async () => {
      const r = await server.get('/nope');
      expect(r.status).toBe(404);
      expect(r.json().message).toContain('/fib/:n');
    });

    it('answers 503 with Retry-After when the queue is full', async () => {
      // 2 workers + maxQueue 8: of 40 tasks submitted in one go, 2 start, 8 wait, the 11th is refused.
      const r = await server.post('/primes', JSON.stringify(Array.from({ length: 40 }, () => 1099726899285419)));
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.json()).toMatchObject({ error: 'queue_full' });
      // The 10 accepted tasks were cancelled with the request: the pool drains.
      await until(server, (s) => s.queued === 0 && s.running === 0, 'the pool to drain');
    });

    it('answers GET /fib/:n with 503 + Retry-After once 2 run and 8 wait', async () => {
      const controller = new AbortController();
      const held = Array.from({ length: 10 }, () => server.get(`/fib/${LONG_FIB}`, controller.signal).catch((e: Error) => e));
      try {
        await until(server, (s) => s.running === 2 && s.queued === 8, 'the pool and the queue to fill');
        const r = await server.get('/fib/20');
        expect(r.status).toBe(503);
        expect(r.headers['retry-after']).toBe('1');
        expect(r.json()).toMatchObject({ error: 'queue_full' });
      } finally {
        controller.abort();
        await Promise.all(held);
      }
      await until(server, (s) => s.queued === 0 && s.running === 0, 'the disconnected requests to be cancelled');
    });

    it('answers /health while a long fib is running (health completes first)', async () => {
      const order: string[] = [];
      const long = server.get(`/fib/${LONG_FIB}`).then((r) => {
        order.push('fib');
        return r;
      });
      await until(server, (s) => s.running >= 1, 'the long fib to start on a worker');
      const health = await server.get('/health');
      order.push('health');
      expect(health.status).toBe(200);
      const r = await long;
      expect(r.json()).toMatchObject({ n: LONG_FIB, fib: fibOf(LONG_FIB) });
      expect(order).toEqual(['health', 'fib']);
    });

    it("cancels a disconnected client's task (shows in /stats)", async () => {
      const before = await until(server, (s) => s.running === 0 && s.queued === 0, 'an idle pool');
      const controller = new AbortController();
      const pending = server.get('/fib/42', controller.signal).catch((e: Error) => e);
      await until(server, (s) => s.running === 1, 'fib(42) to start');
      controller.abort();
      expect(await pending).toBeInstanceOf(Error);
      const after = await until(server, (s) => s.cancelled === before.cancelled + 1, 'the task to be cancelled');
      expect(after.completed).toBe(before.completed);
      await until(server, (s) => s.running === 0, 'the cancelled task to leave its worker');
    });

    it('cancels the rest of a POST /primes stream when the client disconnects', async () => {
      const before = await until(server, (s) => s.running === 0 && s.queued === 0, 'an idle pool');
      const N = 8; // 2 run, 6 wait (maxQueue 8); each takes ~0.3 s (more on a busy machine)
      const BIG_PRIME = 1000000000000037;
      const first = await new Promise<string>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/primes', agent: false }, (res) => {
          res.setEncoding('utf8');
          res.once('data', (chunk: string) => {
            req.destroy();
            resolve(chunk);
          });
        });
        req.on('error', () => {});
        req.on('close', () => reject(new Error('closed before the first line')));
        req.end(JSON.stringify(Array.from({ length: N }, () => BIG_PRIME)));
      });
      expect(JSON.parse(first.split('\n')[0] as string)).toMatchObject({ n: BIG_PRIME, prime: true });
      const after = await until(
        server,
        (s) => s.queued === 0 && s.running === 0 && s.completed - before.completed + s.cancelled - before.cancelled === N,
        'every task of the stream to finish or be cancelled',
      );
      expect(after.cancelled - before.cancelled).toBeGreaterThan(0);
    });

    it('shuts down gracefully on SIGTERM: stops accepting, finishes running work, exits 0', async () => {
      const long = server.get(`/fib/${LONG_FIB}`);
      await until(server, (s) => s.running >= 1, 'the long fib to start');
      server.child.kill('SIGTERM');
      await server.waitFor('draining');
      // No new connections while draining ...
      await expect(server.get('/health')).rejects.toThrow(/ECONNREFUSED|ECONNRESET|socket hang up/);
      // ... but the request in flight gets its answer.
      const r = await long;
      expect(r.status).toBe(200);
      expect(r.json()).toMatchObject({ n: LONG_FIB, fib: fibOf(LONG_FIB) });
      const stopped = await server.waitFor('stopped');
      expect(stopped).toMatchObject({ graceful: true, running: 0, queued: 0 });
      expect(await server.exited).toEqual({ code: 0, signal: null });
    });
  });

  describe(`server on ${runtime}, shutdown bound`, { timeout: 30_000 }, () => {
    let server: Server;
    beforeAll(async () => {
      const args = found.args.map((a, i) => (found.args[i - 1] === '--shutdown-timeout' ? '300' : a));
      server = await startServer(found.command, args);
    }, 60_000);
    afterAll(async () => {
      server?.kill();
      await server?.exited;
    });

    it('cancels running work and exits 1 when the work outlasts --shutdown-timeout', async () => {
      const long = server.get('/fib/42').catch((e: Error) => e);
      await until(server, (s) => s.running >= 1, 'fib(42) to start');
      server.child.kill('SIGTERM');
      const stopped = await server.waitFor('stopped');
      expect(stopped).toMatchObject({ graceful: false, running: 0, completed: 0 });
      expect(stopped.cancelled).toBeGreaterThanOrEqual(1);
      expect(await server.exited).toEqual({ code: 1, signal: null });
      const r = await long;
      // Either the cancelled answer made it out before the connections were dropped, or the connection was dropped.
      if (!(r instanceof Error)) expect(r.status).not.toBe(200);
    });
  });

  describe(`server on ${runtime} --blocking`, { timeout: 30_000 }, () => {
    let server: Server;
    beforeAll(async () => {
      server = await startServer(found.command, [...found.args, '--blocking']);
    }, 60_000);
    afterAll(async () => {
      server?.kill();
      await server?.exited;
    });

    it('computes on the main thread (same answers, no workers)', async () => {
      expect((await server.get('/fib/25')).json()).toMatchObject({ n: 25, fib: fibOf(25) });
      const s = await server.stats();
      expect(s).toMatchObject({ runtime, mode: 'blocking' });
      expect((await server.get('/health')).json()).toMatchObject({ mode: 'blocking' });
    });
  });
}
