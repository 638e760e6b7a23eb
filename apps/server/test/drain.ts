/**
 * End-to-end check of graceful shutdown under keep-alive load, run once per
 * runtime: clients that reuse their connections and send requests back to back
 * must not keep a SIGTERM'd server alive until its shutdown bound.
 */
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../src/runtimes.ts';
import { type Reply, request, type Server, startServer, until, withOption, withServerCommand } from './harness.ts';
import { type PipelineResult, pipeline } from './pipeline.ts';

type RequestError = NodeJS.ErrnoException & { reusedSocket?: boolean };

/** Clients of each kind: Node's keep-alive agent (one request after the other) and pipelining (2 outstanding). */
const CLIENTS = 2;
/** Long enough to be running when SIGTERM arrives; short enough to finish well inside the bound. */
const LONG_FIB = 39;
const FIB_39 = 63245986;
const SHUTDOWN_TIMEOUT = 20_000;

/** The suite for one runtime. */
export function drainSuite(runtime: Runtime): void {
  withServerCommand(runtime, (found) => {
    describe(`server on ${runtime}, SIGTERM with keep-alive clients`, { timeout: 60_000 }, () => {
      let server: Server;
      const agents: Agent[] = [];

      beforeAll(async () => {
        server = await startServer(found.command, withOption(found, '--shutdown-timeout', String(SHUTDOWN_TIMEOUT)));
      }, 60_000);

      afterAll(async () => {
        for (const a of agents) a.destroy();
        server?.kill();
        await server?.exited;
      });

      it('closes keep-alive connections once draining: the request in flight is answered with Connection: close, nothing accepted is reset, the exit is graceful', async () => {
        const keepAlive = () => {
          const agent = new Agent({ keepAlive: true, maxSockets: 1 });
          agents.push(agent);
          return agent;
        };
        // Warm up the workers so the long fib starts at once.
        expect((await server.get('/fib/20')).status).toBe(200);

        /** Each answer, and whether its request was sent after the server said it was draining. */
        const replies: Array<{ reply: Reply; late: boolean }> = [];
        const errors: RequestError[] = [];
        let draining = false;
        let warm = 0;
        /** One client: a keep-alive connection, one request after the other, until the server refuses to connect. */
        const client = async (agent: Agent) => {
          const started = Date.now();
          while (Date.now() - started < 30_000) {
            const late = draining;
            try {
              replies.push({ reply: await request(server.port, '/health', { agent }), late });
              warm++;
            } catch (e) {
              errors.push(e as RequestError);
              if ((e as RequestError).code === 'ECONNREFUSED') return;
            }
          }
        };
        /** One pipelining client: a connection that is never idle, then a new one, until the server refuses to connect. */
        const connections: PipelineResult[] = [];
        const pipelining = async () => {
          const started = Date.now();
          while (Date.now() - started < 30_000) {
            const c = await pipeline(server.port, '/health', 2, () => draining, 30_000);
            connections.push(c);
            warm += c.replies.length;
            if (c.ended === 'ECONNREFUSED') return;
          }
        };
        const clients = [...Array.from({ length: CLIENTS }, () => client(keepAlive())), ...Array.from({ length: CLIENTS }, pipelining)];
        const long = request(server.port, `/fib/${LONG_FIB}`, { agent: keepAlive() });
        await until(server, (s) => s.running === 1 && warm >= 20, 'the clients to run and the long fib to start');

        server.child.kill('SIGTERM');
        await server.waitFor('draining');
        draining = true;
        const answered = await long;
        await Promise.all(clients);
        const stopped = await server.waitFor('stopped');

        // The request in flight got its answer, and was told the connection closes.
        expect(answered.status).toBe(200);
        expect(answered.json()).toMatchObject({ n: LONG_FIB, fib: FIB_39 });
        expect(answered.headers.connection).toBe('close');
        // Every answer is whole. Once draining, an open connection takes no new work: a request sent then gets 503.
        for (const { reply, late } of replies) {
          expect([200, 503]).toContain(reply.status);
          if (late || reply.status === 503) {
            expect(reply.status).toBe(503);
            expect(reply.json()).toMatchObject({ error: 'shutting_down' });
            expect(reply.headers.connection).toBe('close');
          }
        }
        // A pipelining connection is never cut in the middle of an answer, and takes no new work once draining
        // (it may be closed between answers with a request still on the wire: not read, so not accepted).
        for (const c of connections.filter((c) => c.ended !== 'ECONNREFUSED')) {
          expect(c.partial, `ended by ${c.ended} with ${c.unanswered} unanswered`).toBe('');
          for (const r of c.replies) {
            expect([200, 503]).toContain(r.status);
            if (r.late) expect(r.status).toBe(503);
            if (r.status === 503) expect(r.headers.connection?.toLowerCase()).toBe('close');
          }
        }
        // The only failures: new connections refused, and at most two requests per client that the server never read:
        // one written on a kept-alive connection as the server closed it idle (the race inherent to HTTP keep-alive),
        // then one on the new connection the client opened, which the kernel queued just as the server stopped
        // listening (reset unread, as the listener closed).
        const raced = errors.filter((e) => e.code !== 'ECONNREFUSED');
        for (const e of raced) expect(['ECONNRESET', 'EPIPE', 'ECONNABORTED'], `${e.code}: ${e.message}`).toContain(e.code);
        expect(raced.length).toBeLessThanOrEqual(2 * CLIENTS);
        expect(stopped).toMatchObject({ graceful: true, running: 0, queued: 0 });
        expect(stopped.ms).toBeLessThan(SHUTDOWN_TIMEOUT);
        expect(await server.exited).toEqual({ code: 0, signal: null });
      });
    });
  });
}
