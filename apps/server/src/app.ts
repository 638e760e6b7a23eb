/**
 * The one Hono app every runtime serves. It knows nothing about the runtime:
 * it is handed an executor (a worker pool, or the InlineExecutor in
 * --blocking mode) and turns requests into tasks.
 */
import type { Executor } from '@offload/core';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Admission } from './admission.ts';
import { describe, JSON_TYPE, mediaType, NDJSON_TYPES, parseBody, preview } from './body.ts';
import type { Tasks } from './tasks.ts';

/** Largest n accepted by GET /fib/:n (naive recursion: fib(42) takes a few seconds). */
export const FIB_MAX = 42;
/** Largest n accepted by GET /prime/:n and POST /primes. */
export const PRIME_MAX = Number.MAX_SAFE_INTEGER;
/** Most numbers in one POST /primes body. */
export const PRIMES_MAX_ITEMS = 256;
/** Largest `below` of GET /primes?below=N (streamed, so it may be large: a disconnect stops it). */
export const PRIMES_BELOW_MAX = Number.MAX_SAFE_INTEGER;
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
  /** Most tasks of one POST /primes submitted and not finished at once (default: unbounded but for the queue). */
  streamWindow?: number;
}

export interface ServerApp {
  app: Hono;
  /** Requests whose handler has not returned yet plus NDJSON streams still open. */
  inflight(): number;
  /**
   * Start draining: from now on every answer says `Connection: close`, and a
   * request that arrives on a connection still open is answered 503
   * `shutting_down` without running anything.
   */
  drain(): void;
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
      return shuttingDown();
    case 'ERR_OFFLOAD_CANCELLED':
      // The client is gone (its disconnect cancelled the task); nobody reads this.
      return json(499, { error: 'cancelled', message: errorMessage(e) });
    case 'ERR_OFFLOAD_TIMEOUT':
      return json(504, { error: 'timeout', message: errorMessage(e) });
    default:
      return json(500, { error: 'task_failed', message: errorMessage(e) });
  }
}

const shuttingDown = (): Response =>
  json(503, { error: 'shutting_down', message: 'The server is shutting down.' }, { 'retry-after': String(RETRY_AFTER_SECONDS) });

/** Headers only, for HEAD on a task route: the answer GET would give, without running the task. */
const headOnly = (): Response => new Response(null, { status: 200, headers: { 'content-type': 'application/json' } });

export function createApp({ executor, runtime, mode, streamWindow = Number.POSITIVE_INFINITY }: AppOptions): ServerApp {
  const app = new Hono();
  const started = Date.now();
  let inflight = 0;
  /** GET /primes?below=N streams still open. */
  let openStreams = 0;
  let draining = false;

  app.use(async (c, next) => {
    if (draining) {
      // A new request on a kept-alive connection: take no new work, and close the connection.
      c.res = shuttingDown();
    } else {
      inflight++;
      try {
        await next();
      } finally {
        inflight--;
      }
    }
    // No MIME sniffing: a browser takes every answer for the type it says it is.
    c.res.headers.set('x-content-type-options', 'nosniff');
    if (draining) c.res.headers.set('connection', 'close');
  });

  app.get('/health', (c) => c.json({ ok: true, runtime, mode, uptimeMs: Date.now() - started }));

  app.get('/stats', (c) => c.json({ runtime, mode, inflight, streams: openStreams, ...executor.stats() }));

  app.get('/fib/:n', async (c) => {
    const raw = c.req.param('n');
    const n = parseBounded(raw, 0, FIB_MAX);
    if (n === null) {
      return badRequest(`n must be an integer from 0 to ${FIB_MAX}; got "${preview(raw)}".`, { min: 0, max: FIB_MAX });
    }
    if (c.req.method === 'HEAD') return headOnly();
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
      return badRequest(`n must be an integer from 0 to ${PRIME_MAX} (Number.MAX_SAFE_INTEGER); got "${preview(raw)}".`, {
        min: 0,
        max: PRIME_MAX,
      });
    }
    if (c.req.method === 'HEAD') return headOnly();
    try {
      const prime = await executor.submit('isPrime', [n], { signal: c.req.raw.signal });
      return c.json({ n, prime });
    } catch (e) {
      return errorResponse(e);
    }
  });

  app.get('/primes', async (c) => {
    const raw = c.req.query('below') ?? '';
    const below = parseBounded(raw, 0, PRIMES_BELOW_MAX);
    if (below === null) {
      return badRequest(`GET /primes takes ?below=N, N an integer from 0 to ${PRIMES_BELOW_MAX}; got "${preview(raw)}".`, {
        min: 0,
        max: PRIMES_BELOW_MAX,
      });
    }
    if (c.req.method === 'HEAD') return new Response(null, { status: 200, headers: { 'content-type': 'application/x-ndjson' } });
    // A generator task: the worker finds primes only as fast as this response is read (backpressure),
    // and the request's signal (client disconnect) stops it.
    const primes = executor.stream('primesBelow', [below], { signal: c.req.raw.signal, highWaterMark: 64 });
    const it = primes[Symbol.asyncIterator]();
    // Wait for the first prime (or the end) so that a full queue or a shutdown still gets its status code.
    let first: IteratorResult<number>;
    try {
      first = await it.next();
    } catch (e) {
      return errorResponse(e);
    }
    const encoder = new TextEncoder();
    const line = (p: number) => encoder.encode(`{"prime":${p}}\n`);
    let open = true;
    inflight++;
    openStreams++;
    const close = () => {
      if (open) {
        open = false;
        inflight--;
        openStreams--;
      }
    };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (first.done) {
          close();
          controller.close();
        } else controller.enqueue(line(first.value));
      },
      async pull(controller) {
        if (!open) return;
        try {
          const r = await it.next();
          if (r.done) {
            close();
            controller.close();
            return;
          }
          controller.enqueue(line(r.value));
        } catch (e) {
          // The stream failed mid-way (timeout, crash, shutdown): say so in a last line.
          close();
          if (errorCode(e) !== 'ERR_OFFLOAD_CANCELLED') {
            controller.enqueue(encoder.encode(`${JSON.stringify({ error: { code: errorCode(e) ?? 'ERR_TASK', message: errorMessage(e) } })}\n`));
          }
          controller.close();
        }
      },
      cancel() {
        // The client went away: stop the generator in its worker.
        close();
        void it.return?.();
      },
    });
    return new Response(body, { headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' } });
  });

  const listRule = `The body must be a JSON array of 1 to ${PRIMES_MAX_ITEMS} integers from 0 to ${PRIME_MAX} (or NDJSON: one such integer per line)`;
  const listAllowed = { minItems: 1, maxItems: PRIMES_MAX_ITEMS, min: 0, max: PRIME_MAX };
  const accepted = [JSON_TYPE, ...NDJSON_TYPES];

  app.post(
    '/primes',
    async (c, next) => {
      // Only types a cross-site form or a simple fetch() cannot send: no CPU work on behalf of another origin's page.
      const type = mediaType(c.req.header('content-type'));
      if (accepted.includes(type)) return next();
      return json(
        415,
        {
          error: 'unsupported_media_type',
          message: `POST /primes takes Content-Type: ${JSON_TYPE} (a JSON array) or ${NDJSON_TYPES[0]} (one integer per line); got ${type ? `"${preview(type)}"` : 'none'}.`,
        },
        { 'accept-post': `${JSON_TYPE}, ${NDJSON_TYPES[0]}` },
      );
    },
    bodyLimit({
      maxSize: BODY_MAX_BYTES,
      onError: () => json(413, { error: 'too_large', message: `The body must be at most ${BODY_MAX_BYTES} bytes.` }),
    }),
    async (c) => {
      const parsed = parseBody(await c.req.text(), mediaType(c.req.header('content-type')) !== JSON_TYPE, PRIMES_MAX_ITEMS);
      if (!parsed.ok) return badRequest(`${listRule}; ${parsed.problem}.`, listAllowed);
      const list = parsed.items;
      if (list.length < 1 || list.length > PRIMES_MAX_ITEMS) {
        const got = list.length > PRIMES_MAX_ITEMS ? `more than ${PRIMES_MAX_ITEMS} items (split them over several requests)` : 'no items';
        return badRequest(`${listRule}; got ${got}.`, listAllowed);
      }
      const bad = list.findIndex((x) => !(typeof x === 'number' && Number.isSafeInteger(x) && x >= 0));
      if (bad >= 0) return badRequest(`${listRule}; item ${bad} is ${describe(list[bad])}.`, listAllowed);
      const ns = list as number[];
      const signal = c.req.raw.signal;
      const tasks = new Admission<boolean>({
        submit: (i) => executor.submit('isPrime', [ns[i] as number], { signal }),
        capacity: () => executor.capacity(),
        count: ns.length,
        window: streamWindow,
      });
      // Not even the first task finds room (or the executor is closing): answer 503 for the whole request.
      const refused = await tasks.start();
      if (refused !== undefined) return errorResponse(refused);
      const encoder = new TextEncoder();
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
          const r = await tasks.next();
          if (!r) {
            close();
            controller.close();
            return;
          }
          const { index } = r;
          const line =
            r.status === 'fulfilled'
              ? { index, n: ns[index], prime: r.value }
              : { index, n: ns[index], error: { code: errorCode(r.reason) ?? 'ERR_TASK', message: errorMessage(r.reason) } };
          controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
        },
        cancel() {
          // The client went away mid-stream: stop the work still queued or running, and admit no more.
          close();
          tasks.cancel();
        },
      });
      return new Response(body, { headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' } });
    },
  );

  app.notFound(() =>
    json(404, { error: 'not_found', message: 'Routes: GET /fib/:n, GET /prime/:n, GET /primes?below=N, POST /primes, GET /health, GET /stats.' }),
  );
  app.onError((e) => json(500, { error: 'internal', message: errorMessage(e) }));

  return {
    app,
    inflight: () => inflight,
    drain: () => {
      draining = true;
    },
  };
}
