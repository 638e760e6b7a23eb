/**
 * The one Hono app every runtime serves. It knows nothing about the runtime:
 * it is handed an executor (a worker pool, or the InlineExecutor in
 * --blocking mode) and turns requests into tasks.
 */
import { asCompleted, type Executor } from '@offload/core';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Tasks } from './tasks.ts';

/** Largest n accepted by GET /fib/:n (naive recursion: fib(42) takes a few seconds). */
export const FIB_MAX = 42;
/** Largest n accepted by GET /prime/:n and POST /primes. */
export const PRIME_MAX = Number.MAX_SAFE_INTEGER;
/** Most numbers in one POST /primes body. */
export const PRIMES_MAX_ITEMS = 256;
/** Largest POST /primes body, in bytes. */
export const BODY_MAX_BYTES = 64 * 1024;
/** Seconds a client is told to wait after a 503. */
export const RETRY_AFTER_SECONDS = 1;

export type Mode = 'offload' | 'blocking';

export interface AppOptions {
  executor: Executor<Tasks>;
  /** 'node', 'deno' or 'bun': reported by /health and /stats. */
  runtime: string;
  mode: Mode;
}

export interface ServerApp {
  app: Hono;
  /** Requests whose handler has not returned yet plus NDJSON streams still open. */
  inflight(): number;
}

const INTEGER = /^(0|[1-9][0-9]*)$/;

/** Parse a decimal integer in [min, max] or return null. */
function parseBounded(raw: string, min: number, max: number): number | null {
  if (!INTEGER.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const badRequest = (message: string, allowed: Record<string, number>): Response => json(400, { error: 'bad_request', message, allowed });

const errorCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Map an executor error to an HTTP response. */
export function errorResponse(e: unknown): Response {
  switch (errorCode(e)) {
    case 'ERR_OFFLOAD_QUEUE_FULL':
      return json(
        503,
        { error: 'queue_full', message: 'The server is busy: its work queue is full. Retry later.' },
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
    case 'ERR_OFFLOAD_SHUTDOWN':
      return json(503, { error: 'shutting_down', message: 'The server is shutting down.' }, { 'retry-after': String(RETRY_AFTER_SECONDS) });
    case 'ERR_OFFLOAD_CANCELLED':
      // The client is gone (its disconnect cancelled the task); nobody reads this.
      return json(499, { error: 'cancelled', message: errorMessage(e) });
    case 'ERR_OFFLOAD_TIMEOUT':
      return json(504, { error: 'timeout', message: errorMessage(e) });
    default:
      return json(500, { error: 'task_failed', message: errorMessage(e) });
  }
}

const ignore = () => {};

export function createApp({ executor, runtime, mode }: AppOptions): ServerApp {
  const app = new Hono();
  const started = Date.now();
  let inflight = 0;

  app.use(async (_c, next) => {
    inflight++;
    try {
      await next();
    } finally {
      inflight--;
    }
  });

  app.get('/health', (c) => c.json({ ok: true, runtime, mode, uptimeMs: Date.now() - started }));

  app.get('/stats', (c) => c.json({ runtime, mode, inflight, ...executor.stats() }));

  app.get('/fib/:n', async (c) => {
    const raw = c.req.param('n');
    const n = parseBounded(raw, 0, FIB_MAX);
    if (n === null) {
      return badRequest(`n must be an integer from 0 to ${FIB_MAX}; got "${raw}".`, { min: 0, max: FIB_MAX });
    }
    const t0 = performance.now();
    try {
      // The request's signal aborts when the client disconnects: that cancels the task.
      const value = await executor.submit('fib', [n], { signal: c.req.raw.signal });
      return c.json({ n, fib: value, ms: Math.round((performance.now() - t0) * 100) / 100 });
    } catch (e) {
      return errorResponse(e);
    }
  });

  app.get('/prime/:n', async (c) => {
    const raw = c.req.param('n');
    const n = parseBounded(raw, 0, PRIME_MAX);
    if (n === null) {
      return badRequest(`n must be an integer from 0 to ${PRIME_MAX} (Number.MAX_SAFE_INTEGER); got "${raw}".`, {
        min: 0,
        max: PRIME_MAX,
      });
    }
    try {
      const prime = await executor.submit('isPrime', [n], { signal: c.req.raw.signal });
      return c.json({ n, prime });
    } catch (e) {
      return errorResponse(e);
    }
  });

  const listRule = `The body must be a JSON array of 1 to ${PRIMES_MAX_ITEMS} integers from 0 to ${PRIME_MAX}`;
  const listAllowed = { minItems: 1, maxItems: PRIMES_MAX_ITEMS, min: 0, max: PRIME_MAX };

  app.post(
    '/primes',
    bodyLimit({
      maxSize: BODY_MAX_BYTES,
      onError: () => json(413, { error: 'too_large', message: `The body must be at most ${BODY_MAX_BYTES} bytes.` }),
    }),
    async (c) => {
      let list: unknown;
      try {
        list = JSON.parse(await c.req.text());
      } catch {
        return badRequest(`${listRule}; it is not valid JSON.`, listAllowed);
      }
      if (!Array.isArray(list) || list.length < 1 || list.length > PRIMES_MAX_ITEMS) {
        const got = Array.isArray(list) ? `an array of ${list.length}` : `a ${list === null ? 'null' : typeof list}`;
        return badRequest(`${listRule}; got ${got}.`, listAllowed);
      }
      const bad = list.findIndex((x) => !(typeof x === 'number' && Number.isSafeInteger(x) && x >= 0));
      if (bad >= 0) {
        return badRequest(`${listRule}; item ${bad} is ${JSON.stringify(list[bad]) ?? String(list[bad])}.`, listAllowed);
      }
      const ns = list as number[];
      const signal = c.req.raw.signal;
      const futures = ns.map((n) => executor.submit('isPrime', [n], { signal }));
      // Every future must have a handler: cancelled ones reject with CancelledError.
      for (const f of futures) f.catch(ignore);
      // A full queue (or a closing executor) rejects at once: answer 503 for the whole request.
      const refused = futures.find((f) => f.state === 'rejected');
      if (refused) {
        for (const f of futures) f.cancel();
        return errorResponse(
          await refused.then(
            () => undefined,
            (e: unknown) => e,
          ),
        );
      }
      const encoder = new TextEncoder();
      const done = asCompleted(futures);
      let open = true;
      inflight++;
      const close = () => {
        if (open) {
          open = false;
          inflight--;
        }
      };
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const r = await done.next();
          if (r.done) {
            close();
            controller.close();
            return;
          }
          const { index, status } = r.value;
          const line =
            status === 'fulfilled'
              ? { index, n: ns[index], prime: r.value.value }
              : { index, n: ns[index], error: { code: errorCode(r.value.reason) ?? 'ERR_TASK', message: errorMessage(r.value.reason) } };
          controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
        },
        cancel() {
          // The client went away mid-stream: stop the work still queued or running.
          close();
          for (const f of futures) f.cancel();
          void done.return(undefined);
        },
      });
      return new Response(body, { headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' } });
    },
  );

  app.notFound(() => json(404, { error: 'not_found', message: 'Routes: GET /fib/:n, GET /prime/:n, POST /primes, GET /health, GET /stats.' }));
  app.onError((e) => json(500, { error: 'internal', message: errorMessage(e) }));

  return { app, inflight: () => inflight };
}
