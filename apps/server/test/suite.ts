/**
 * The main end-to-end suite, run once per runtime: every route, bad paths and
 * bodies, the 503s, cancellation on disconnect, graceful shutdown and its
 * bound, and --blocking.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../src/runtimes.ts';
import { type Server, type ServerCommand, startServer, until, withOption, withServerCommand } from './harness.ts';

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

/** The whole suite for one runtime. */
export function serverSuite(runtime: Runtime): void {
  withServerCommand(runtime, (found) => serverSuiteWith(runtime, found));
}

function serverSuiteWith(runtime: Runtime, found: ServerCommand): void {
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

    it('GET /primes?below=N streams the primes below N as NDJSON, in order', async () => {
      const r = await server.get('/primes?below=100');
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toContain('application/x-ndjson');
      const primes = r.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).prime);
      expect(primes).toEqual([2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97]);
      expect((await server.get('/primes?below=2')).body).toBe('');
      for (const bad of ['', 'x', '-1', '1.5', '9007199254740992']) {
        const b = await server.get(`/primes?below=${bad}`);
        expect(b.status, `below=${bad}`).toBe(400);
        expect(b.json()).toMatchObject({ error: 'bad_request', allowed: { min: 0 } });
      }
    });

    it('stops the generator of GET /primes when the client disconnects (shows in /stats)', async () => {
      const before = await until(server, (s) => s.running === 0 && s.queued === 0 && s.streams === 0, 'an idle pool');
      const first = await new Promise<string>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: server.port, method: 'GET', path: '/primes?below=9007199254740991', agent: false }, (res) => {
          res.setEncoding('utf8');
          res.once('data', (chunk: string) => {
            req.destroy();
            resolve(chunk);
          });
        });
        req.on('error', () => {});
        req.on('close', () => reject(new Error('closed before the first line')));
        req.end();
      });
      expect(JSON.parse(first.split('\n')[0] as string)).toEqual({ prime: 2 });
      const after = await until(
        server,
        (s) => s.running === 0 && s.streams === 0 && s.cancelled === before.cancelled + 1,
        'the stream to be cancelled and leave its worker',
      );
      expect(after.completed).toBe(before.completed);
    });

    it('GET /stats reports the executor', async () => {
      const s = await server.stats();
      expect(s).toMatchObject({ runtime, mode: 'offload', workers: 2 });
      for (const k of ['busyWorkers', 'idleWorkers', 'queued', 'running', 'completed', 'failed', 'cancelled', 'spawnedWorkers', 'streams']) {
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

    it('answers GET /fib/:n and POST /primes with 503 + Retry-After once 2 run and 8 wait', async () => {
      const controller = new AbortController();
      const held = Array.from({ length: 10 }, () => server.get(`/fib/${LONG_FIB}`, controller.signal).catch((e: Error) => e));
      try {
        await until(server, (s) => s.running === 2 && s.queued === 8, 'the pool and the queue to fill');
        const r = await server.get('/fib/20');
        expect(r.status).toBe(503);
        expect(r.headers['retry-after']).toBe('1');
        expect(r.json()).toMatchObject({ error: 'queue_full' });
        // POST /primes is refused the same way when not even its first task finds room.
        const p = await server.post('/primes', '[7, 11]');
        expect(p.status).toBe(503);
        expect(p.headers['retry-after']).toBe('1');
        expect(p.json()).toMatchObject({ error: 'queue_full' });
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
      const N = 6; // a stream keeps 2 workers + half the queue of 8 busy: 2 run, 4 wait; each takes ~0.3 s (more on a busy machine)
      const BIG_PRIME = 1000000000000037;
      const first = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: server.port, method: 'POST', path: '/primes', agent: false, headers: { 'content-type': 'application/json' } },
          (res) => {
            res.setEncoding('utf8');
            res.once('data', (chunk: string) => {
              req.destroy();
              resolve(chunk);
            });
          },
        );
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
      server = await startServer(found.command, withOption(found, '--shutdown-timeout', '300'));
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
