import { describe, expect, it } from 'vitest';
import { batchStream, rawPool } from '../src/adapter.js';
import { interleave } from '../src/harness.js';

describe('interleave', () => {
  it('runs entries A B A B, discards warm-up rounds and summarizes', async () => {
    const order: string[] = [];
    let a = 0;
    let b = 100;
    const out = await interleave(
      [
        {
          key: 'A',
          run: async () => {
            order.push('A');
            return ++a;
          },
        },
        {
          key: 'B',
          run: async () => {
            order.push('B');
            return ++b;
          },
        },
      ],
      { warmup: 1, samples: 3 },
    );
    expect(order).toEqual(['A', 'B', 'A', 'B', 'A', 'B', 'A', 'B']);
    expect(out[0]).toMatchObject({ key: 'A', samples: [2, 3, 4], median: 3, min: 2, max: 4 });
    expect(out[1]).toMatchObject({ key: 'B', samples: [102, 103, 104], median: 103 });
  });

  it('with alternate, runs the entries in reverse order every other round (A B B A A B), warm-up rounds included', async () => {
    const order: string[] = [];
    const entry = (key: string) => ({
      key,
      run: async () => {
        order.push(key);
        return order.length;
      },
    });
    const out = await interleave([entry('A'), entry('B')], { warmup: 1, samples: 2, alternate: true });
    expect(order).toEqual(['A', 'B', 'B', 'A', 'A', 'B']);
    expect(out[0].samples).toEqual([4, 5]);
    expect(out[1].samples).toEqual([3, 6]);
  });

  it('keeps going when an entry throws and reports its error', async () => {
    let ticks = 0;
    const out = await interleave(
      [
        { key: 'bad', run: async () => Promise.reject(new TypeError('nope')) },
        { key: 'good', run: async () => 1 },
      ],
      { warmup: 0, samples: 2 },
      () => ticks++,
    );
    expect(out[0].error).toBe('TypeError: nope');
    expect(out[0].samples).toEqual([]);
    expect(out[1]).toMatchObject({ samples: [1, 1], median: 1 });
    expect(ticks).toBe(3);
  });
});

describe('rawPool', () => {
  it('sends one task per worker at a time unless pipelined, and resolves by id', async () => {
    const posted: unknown[][] = [];
    const listeners: ((m: unknown) => void)[] = [];
    const pool = rawPool(
      () => {
        const i = listeners.length;
        posted.push([]);
        listeners.push(() => {});
        return {
          post: (m) => posted[i].push(m),
          onMessage: (fn) => {
            listeners[i] = fn;
          },
          terminate: () => {},
        };
      },
      2,
      false,
    );
    const ps = [1, 2, 3].map((x) => pool.run('add', x));
    expect(posted.map((p) => p.length)).toEqual([1, 1]);
    const [id] = posted[0][0] as [number];
    listeners[0]([id, 'first']);
    expect(posted[0].length).toBe(2);
    const [id2, , arg2] = posted[1][0] as [number, string, number];
    const [id3] = posted[0][1] as [number];
    listeners[1]([id2, arg2 + 1]);
    listeners[0]([id3, 'third']);
    expect(await Promise.all(ps)).toEqual(['first', 3, 'third']);
    await pool.close();
  });
});

describe('raw floor streams', () => {
  it('the caller iterates every item of every batch, one for-await step each, waiting for batches still to come', async () => {
    const s = batchStream();
    s.push([0, 1]);
    const it = s.items[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ value: 0, done: false });
    expect(await it.next()).toEqual({ value: 1, done: false });
    const later = it.next();
    s.push([]);
    s.push([2, 3]);
    expect(await later).toEqual({ value: 2, done: false });
    s.end();
    expect(await it.next()).toEqual({ value: 3, done: false });
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('rawPool.stream() counts the items it iterated and checks them against the worker’s count', async () => {
    let listener: (m: unknown) => void = () => {};
    const posted: unknown[] = [];
    const pool = rawPool(
      () => ({
        post: (m) => posted.push(m),
        onMessage: (fn) => {
          listener = fn;
        },
        terminate: () => {},
      }),
      1,
      true,
    );
    const counted = pool.stream?.('countTo', 5);
    const [id] = posted[0] as [number];
    listener([-id, [0, 1, 2]]);
    listener([-id, [3, 4]]);
    listener([id, 5]);
    expect(await counted).toBe(5);
    const short = pool.stream?.('countTo', 3);
    const [id2] = posted[1] as [number];
    listener([-id2, [0]]);
    listener([id2, 3]);
    await expect(short).rejects.toThrow('received 1 of 3 items');
    await pool.close();
  });
});

describe('describeError', async () => {
  const { describeError } = await import('../src/harness.js');
  it('describes errors, error-like objects (as some pools reject with) and anything else', () => {
    expect(describeError(new RangeError('x'))).toBe('RangeError: x');
    expect(describeError({ name: 'Error', message: 'RC4 round trip failed', stack: '...' })).toBe('Error: RC4 round trip failed');
    expect(describeError({ code: 1 })).toBe('{"code":1}');
    expect(describeError('boom')).toBe('boom');
  });
});
