import { describe, expect, it } from 'vitest';
import { postBatch } from '../src/batch.js';
import { ProtocolError, WorkerCrashedError } from '../src/errors.js';
import { Executor } from '../src/executor.js';
import { inlineCapabilities } from '../src/inline.js';
import { type Batch, type FromWorker, packBatch, readFromWorker, readToWorker, type ToWorker } from '../src/protocol.js';
import type { Spawn } from '../src/transport.js';
import { serve } from '../src/worker.js';

const foreign: [string, unknown][] = [
  ['an object', { foo: 1 }],
  ['[null]', [null]],
  ['null', null],
  ['undefined', undefined],
  ['a string', 'hello'],
  ['a number', 42],
  ['an unbranded list of protocol messages', [{ t: 'ok', id: 1, value: 'forged' }]],
  ['another brand', { offload: 'something else', m: [] }],
];

describe('reading protocol batches', () => {
  it('returns the messages of a branded batch, also after a structured clone', () => {
    const from: FromWorker[] = [
      { t: 'hello', v: 1, tasks: ['a'] },
      { t: 'ok', id: 1, value: undefined },
      { t: 'err', id: 2, error: { name: 'Error', message: 'x' } },
      { t: 'bye', code: 3 },
    ];
    expect(readFromWorker(structuredClone(packBatch(from)))).toEqual(from);
    const to: ToWorker[] = [
      { t: 'start', v: 1, init: undefined, concurrency: 1 },
      { t: 'run', id: 1, name: 'a', args: [1], c: 1 },
      { t: 'cancel', id: 1 },
      { t: 'close' },
    ];
    expect(readToWorker(structuredClone(packBatch(to)))).toEqual(to);
  });

  it.each(foreign)('treats %s as foreign data (undefined), in both directions', (_, data) => {
    expect(readFromWorker(data)).toBeUndefined();
    expect(readToWorker(data)).toBeUndefined();
  });

  it.each([
    ['a list that is not one', { offload: 'offload.batch', m: { t: 'ok', id: 1 } }],
    ['a null message', packBatch([null])],
    ['an id that is not a number', packBatch([{ t: 'ok', id: '1' }])],
    ['an id that is not finite', packBatch([{ t: 'ok', id: Number.POSITIVE_INFINITY }])],
    ['an unknown type', packBatch([{ t: 'nope' }])],
    ['an error without a message', packBatch([{ t: 'err', id: 1, error: { name: 'Error' } }])],
    ['task names that are not strings', packBatch([{ t: 'hello', v: 1, tasks: [1] }])],
    ['a message to a worker', packBatch([{ t: 'run', id: 1, name: 'a', args: [] }])],
  ])('refuses a branded batch from a worker with %s (ProtocolError)', (_, data) => {
    expect(() => readFromWorker(data)).toThrow(ProtocolError);
  });

  it.each([
    ['arguments that are not a list', packBatch([{ t: 'run', id: 1, name: 'a', args: 1 }])],
    ['a task name that is not a string', packBatch([{ t: 'run', id: 1, name: 2, args: [] }])],
    ['a concurrency of 0', packBatch([{ t: 'start', v: 1, concurrency: 0 }])],
    ['a message from a worker', packBatch([{ t: 'ok', id: 1, value: 1 }])],
  ])('refuses a branded batch to a worker with %s (ProtocolError)', (_, data) => {
    const error = (() => {
      try {
        readToWorker(data);
      } catch (e) {
        return e;
      }
    })() as ProtocolError;
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.code).toBe('ERR_OFFLOAD_PROTOCOL');
    expect(error.message).toMatch(/^Message 0 of a protocol batch to a worker is malformed/);
  });
});

describe('postBatch', () => {
  /** A post that clones like postMessage does. */
  const channel = () => {
    const got: unknown[] = [];
    const post = (batch: Batch<FromWorker>, transfer: Transferable[]) => got.push(structuredClone(batch, { transfer }));
    return { got, post };
  };

  it('posts a batch that can be cloned once, whole', () => {
    const { got, post } = channel();
    const failed: unknown[] = [];
    postBatch(
      post,
      [{ t: 'ready' }, { t: 'ok', id: 1, value: 2 }],
      [],
      () => undefined,
      (m) => failed.push(m),
    );
    expect(got).toEqual([packBatch([{ t: 'ready' }, { t: 'ok', id: 1, value: 2 }])]);
    expect(failed).toEqual([]);
  });

  it('falls back to one post per message, each with its own transfer list, and reports only the culprit', () => {
    const { got, post } = channel();
    const { port1, port2 } = new MessageChannel();
    const buf = new ArrayBuffer(4);
    const messages: FromWorker[] = [
      { t: 'ok', id: 1, value: () => 1 },
      { t: 'ok', id: 2, value: port2 },
      { t: 'ok', id: 3, value: buf },
    ];
    const lists = [undefined, [port2], [buf]];
    const failed: [number, unknown][] = [];
    postBatch(
      post,
      messages,
      [port2, buf],
      (_, i) => lists[i],
      (m, i) => failed.push([i, (m as { id: number }).id]),
    );
    expect(failed).toEqual([[0, 1]]);
    const values = got.map((b) => readFromWorker(b)?.[0]);
    expect(values.map((m) => (m as { id: number }).id)).toEqual([2, 3]);
    expect((values[0] as { value: unknown }).value).toBeInstanceOf(MessagePort);
    expect(buf.byteLength).toBe(0);
    port1.close();
    ((values[0] as { value: MessagePort }).value as MessagePort).close();
  });
});

describe('the worker side (serve)', () => {
  const worker = () => {
    let deliver: ((data: unknown) => void) | undefined;
    const out: FromWorker[] = [];
    serve(
      {
        post: (batch) => out.push(...(readFromWorker(structuredClone(batch)) ?? [])),
        listen: (fn) => {
          deliver = fn;
        },
      },
      { inc: (x: number) => x + 1 },
    );
    const flushed = () => new Promise((r) => setTimeout(r, 5));
    return { out, deliver: (data: unknown) => deliver?.(data), flushed };
  };

  it('ignores foreign data and keeps serving', async () => {
    const w = worker();
    for (const [, data] of foreign) expect(() => w.deliver(data)).not.toThrow();
    w.deliver(packBatch<ToWorker>([{ t: 'start', v: 1, init: undefined, concurrency: 1 }]));
    w.deliver(packBatch<ToWorker>([{ t: 'run', id: 7, name: 'inc', args: [1] }]));
    await w.flushed();
    expect(w.out.map((m) => m.t)).toEqual(['hello', 'ready', 'ok']);
    expect(w.out[2]).toEqual({ t: 'ok', id: 7, value: 2 });
  });

  it('answers a malformed protocol batch with a fatal ProtocolError', async () => {
    const w = worker();
    w.deliver(packBatch([{ t: 'run', id: 'x' }]));
    await w.flushed();
    expect(w.out[1]).toMatchObject({ t: 'fatal', error: { name: 'ProtocolError', props: { code: 'ERR_OFFLOAD_PROTOCOL' } } });
  });
});

describe('the executor side', () => {
  /** An executor whose workers run `serve()` in-process, plus a way to post data as if a worker did. */
  const setup = () => {
    const inject: ((data: unknown) => void)[] = [];
    const spawn: Spawn = (events) => {
      let alive = true;
      let toWorker: ((data: unknown) => void) | undefined;
      serve(
        {
          post: (batch) => {
            const copy = structuredClone(batch);
            queueMicrotask(() => alive && events.message(copy));
          },
          listen: (fn) => {
            toWorker = fn;
          },
        },
        { inc: (x: number) => x + 1, slow: () => new Promise((r) => setTimeout(() => r('late'), 300)) },
      );
      inject.push((data) => events.message(data));
      return {
        post: (batch) => {
          const copy = structuredClone(batch);
          queueMicrotask(() => alive && toWorker?.(copy));
        },
        terminate: () => {
          if (!alive) return;
          alive = false;
          queueMicrotask(() => events.exit({}));
        },
      };
    };
    const ex = new Executor(spawn, inlineCapabilities, { maxWorkers: 1 });
    return { ex, inject };
  };

  it('ignores data that is not a protocol batch', async () => {
    const { ex, inject } = setup();
    try {
      expect(await ex.submit('inc', [1])).toBe(2);
      for (const [, data] of foreign) expect(() => inject[0]?.(data)).not.toThrow();
      expect(await ex.submit('inc', [2])).toBe(3);
      expect(ex.stats().spawnedWorkers).toBe(1);
    } finally {
      await ex.shutdown();
    }
  });

  it('stops a worker that sends a malformed protocol batch, as crashed with a ProtocolError cause', async () => {
    const { ex, inject } = setup();
    try {
      expect(await ex.submit('inc', [1])).toBe(2);
      const running = ex.submit('slow', []);
      await new Promise((r) => setTimeout(r, 20));
      inject[0]?.(packBatch([{ t: 'ok', id: 'not a number' }]));
      const error = (await running.then(
        () => undefined,
        (e: unknown) => e,
      )) as WorkerCrashedError;
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect(error.cause).toBeInstanceOf(ProtocolError);
      expect(await ex.submit('inc', [5])).toBe(6);
      expect(ex.stats()).toMatchObject({ crashedWorkers: 1, spawnedWorkers: 2 });
    } finally {
      await ex.shutdown();
    }
  });
});
