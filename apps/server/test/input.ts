/**
 * End-to-end checks of the server against hostile or unusual input, run once
 * per runtime on a server of its own (2 workers, a queue of 8): deep JSON,
 * oversized echoes, content types a cross-site form can send, HEAD on a task
 * route, security headers, and POST /primes bodies larger than the pool and
 * queue together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../src/runtimes.ts';
import { type Reply, request, type Server, startServer, until, withServerCommand } from './harness.ts';

/** The longest 400 message: the rule plus at most 200 characters of the input. */
const MESSAGE_MAX = 400;

const lines = (r: Reply): Array<Record<string, unknown>> =>
  r.body
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

const naivePrime = (n: number): boolean => {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
};

/** Every input of a POST /primes answer has exactly one line, with the right answer. */
function expectAllAnswered(r: Reply, ns: number[]): void {
  expect(r.status).toBe(200);
  const got = lines(r);
  expect(got).toHaveLength(ns.length);
  expect(got.map((l) => l.index).sort((a, b) => (a as number) - (b as number))).toEqual(ns.map((_, i) => i));
  for (const l of got) expect(l).toEqual({ index: l.index, n: ns[l.index as number], prime: naivePrime(ns[l.index as number] as number) });
}

const settledTasks = (s: Record<string, number>): number => (s.completed ?? 0) + (s.failed ?? 0) + (s.cancelled ?? 0);

/** The suite for one runtime. */
export function inputSuite(runtime: Runtime): void {
  withServerCommand(runtime, (found) => {
    describe(`server on ${runtime}, bad input`, { timeout: 30_000 }, () => {
      let server: Server;
      const post = (body: string, headers: Record<string, string> = {}) => request(server.port, '/primes', { method: 'POST', body, headers });

      beforeAll(async () => {
        server = await startServer(found.command, found.args);
      }, 60_000);

      afterAll(async () => {
        server?.kill();
        await server?.exited;
      });

      it('answers a JSON body nested 30,000 deep with 400, not a 500 from a stack overflow', async () => {
        const deep = '['.repeat(30_000) + ']'.repeat(30_000);
        for (const body of [deep, `[7, ${deep}]`, `{"a":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_001)}`]) {
          const r = await post(body);
          expect(r.status, body.slice(0, 20)).toBe(400);
          expect(r.json()).toMatchObject({ error: 'bad_request', allowed: { maxItems: 256 } });
          expect((r.json().message as string).length).toBeLessThanOrEqual(MESSAGE_MAX);
        }
      });

      it('echoes at most 200 characters of the input in a 400 message, ending the cut with an ellipsis', async () => {
        const long = 'x'.repeat(60_000);
        for (const body of [`["${long}"]`, `[1, {"${long}": 1}]`, `[${'1'.repeat(400)}]`]) {
          const r = await post(body);
          expect(r.status).toBe(400);
          const message = r.json().message as string;
          expect(message.length).toBeLessThanOrEqual(MESSAGE_MAX);
          expect(message).toContain('JSON array of 1 to 256 integers');
        }
        expect((await post(`["${long}"]`)).json().message).toContain('xxx…');
        const r = await server.get(`/fib/${'9'.repeat(5_000)}`);
        expect(r.status).toBe(400);
        expect((r.json().message as string).length).toBeLessThanOrEqual(MESSAGE_MAX);
        expect(r.json().message).toMatch(/^n must be an integer from 0 to 42; got "9{200}…"\.$/);
      });

      it('answers POST /primes with 415 unless the body is JSON or NDJSON, before starting any task', async () => {
        const before = await until(server, (s) => s.queued === 0 && s.running === 0, 'an idle pool');
        // What a cross-site page can send without a CORS preflight, and no content type at all.
        for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
          const r = await request(server.port, '/primes', { method: 'POST', body: '[1099726899285419]', headers: { 'content-type': type } });
          expect(r.status, type).toBe(415);
          expect(r.json()).toMatchObject({ error: 'unsupported_media_type' });
          expect(r.json().message).toContain('application/json');
          expect(r.headers['accept-post']).toBe('application/json, application/x-ndjson');
        }
        const after = await server.stats();
        expect(settledTasks(after)).toBe(settledTasks(before));
        expect(after).toMatchObject({ queued: 0, running: 0 });
      });

      it('takes POST /primes as JSON (any charset) or as NDJSON, one integer per line', async () => {
        expectAllAnswered(await post('[7, 8]', { 'content-type': 'application/json; charset=utf-8' }), [7, 8]);
        expectAllAnswered(await post('7\n8\n\n17\n', { 'content-type': 'application/x-ndjson' }), [7, 8, 17]);
        const bad = await post('7\n[8]\n', { 'content-type': 'application/x-ndjson' });
        expect(bad.status).toBe(400);
        expect(bad.json().message).toContain('item 1 is an array');
        expect((await post('7\nnope\n', { 'content-type': 'application/x-ndjson' })).json().message).toContain('line 2 is not valid JSON');
      });

      it('answers 256 numbers on an idle server (more than 2 workers and a queue of 8 hold) with every result', async () => {
        await until(server, (s) => s.queued === 0 && s.running === 0, 'an idle pool');
        const ns = Array.from({ length: 256 }, (_, i) => 1_000_000 + i);
        expectAllAnswered(await post(JSON.stringify(ns)), ns);
        // One that can never be taken says why.
        const tooMany = await post(JSON.stringify([...ns, 7]));
        expect(tooMany.status).toBe(400);
        expect(tooMany.json().message).toContain('got more than 256 items (split them over several requests)');
      });

      it('answers two large POST /primes at once (they share the queue) each with every result', async () => {
        await until(server, (s) => s.queued === 0 && s.running === 0, 'an idle pool');
        const bodies = [0, 1].map((k) => Array.from({ length: 100 }, (_, i) => 10_000_000 * (k + 1) + i));
        const replies = await Promise.all(bodies.map((ns) => post(JSON.stringify(ns))));
        replies.forEach((r, k) => {
          expectAllAnswered(r, bodies[k] as number[]);
        });
      });

      it('answers HEAD /fib/:n and HEAD /prime/:n with headers only, without running a task', async () => {
        const before = await until(server, (s) => s.queued === 0 && s.running === 0, 'an idle pool');
        for (const path of ['/fib/35', '/prime/1099726899285419']) {
          const r = await request(server.port, path, { method: 'HEAD' });
          expect(r.status, path).toBe(200);
          expect(r.headers['content-type']).toContain('application/json');
          expect(r.body).toBe('');
        }
        expect((await request(server.port, '/fib/43', { method: 'HEAD' })).status).toBe(400);
        const after = await server.stats();
        expect(settledTasks(after)).toBe(settledTasks(before));
        expect(after).toMatchObject({ queued: 0, running: 0 });
      });

      it('sends X-Content-Type-Options: nosniff on every answer', async () => {
        const replies = [
          await server.get('/health'),
          await server.get('/stats'),
          await server.get('/fib/10'),
          await server.get('/fib/x'),
          await server.get('/nope'),
          await post('[7]'),
          await post('[7]', { 'content-type': 'text/plain' }),
          await post(`[${'1,'.repeat(40_000)}1]`),
          await request(server.port, '/fib/10', { method: 'HEAD' }),
        ];
        expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 400, 404, 200, 415, 413, 200]);
        for (const r of replies) expect(r.headers['x-content-type-options']).toBe('nosniff');
      });
    });
  });
}
