import { describe, expect, it } from 'vitest';
import { CancelledError, InvalidArgumentError, TimeoutError } from '../src/errors.js';
import { Future, settleFuture } from '../src/future.js';
import { resolveOptions } from '../src/options.js';
import { decodeError, encodeError } from '../src/protocol.js';
import { TaskQueue } from '../src/queue.js';

describe('TaskQueue', () => {
  const task = (name: string, priority = 0) => ({ name, priority, queued: false });

  it('serves higher priorities first and FIFO within a priority', () => {
    const q = new TaskQueue<ReturnType<typeof task>>();
    for (const t of [task('a'), task('b', 2), task('c'), task('d', -1), task('e', 2)]) q.push(t);
    expect(q.drain().map((t) => t.name)).toEqual(['b', 'e', 'a', 'c', 'd']);
  });

  it('skips removed entries and keeps its size right', () => {
    const q = new TaskQueue<ReturnType<typeof task>>();
    const [a, b, c] = [task('a'), task('b'), task('c')];
    q.push(a);
    q.push(b);
    q.push(c);
    expect(q.remove(b)).toBe(true);
    expect(q.remove(b)).toBe(false);
    expect(q.size).toBe(2);
    q.unshift(b);
    expect(q.drain().map((t) => t.name)).toEqual(['b', 'a', 'c']);
    expect(q.size).toBe(0);
  });
});

describe('error encoding', () => {
  it('round-trips built-in classes, cause chains, own properties and AggregateError', () => {
    const inner = new RangeError('inner');
    const outer = Object.assign(new TypeError('outer', { cause: inner }), { code: 'E_X', data: { n: 1 } });
    const back = decodeError(structuredClone(encodeError(outer))) as TypeError & { code: string; data: unknown };
    expect(back).toBeInstanceOf(TypeError);
    expect(back.cause).toBeInstanceOf(RangeError);
    expect([back.code, back.data, back.stack]).toEqual(['E_X', { n: 1 }, outer.stack]);
    const agg = decodeError(encodeError(new AggregateError([new Error('one')], 'many'))) as AggregateError;
    expect(agg).toBeInstanceOf(AggregateError);
    expect(agg.errors[0].message).toBe('one');
  });

  it('re-creates Offload errors as their own class with their code', () => {
    const back = decodeError(encodeError(new TimeoutError(5))) as TimeoutError;
    expect(back).toBeInstanceOf(TimeoutError);
    expect(back.code).toBe('ERR_OFFLOAD_TIMEOUT');
    expect(back.timeout).toBe(5);
  });

  it('passes thrown non-errors through unchanged, and stringifies what cannot be cloned', () => {
    expect(decodeError(encodeError(42))).toBe(42);
    expect(decodeError(encodeError(Symbol.for('s')))).toBe('Symbol(s)');
    const withFn = decodeError(encodeError(Object.assign(new Error('f'), { fn: () => 1, sym: Symbol('x') }))) as Error & Record<string, unknown>;
    expect(withFn.sym).toBe('Symbol(x)');
    expect('fn' in withFn).toBe(false);
  });
});

describe('Future', () => {
  it('is a Promise whose then() returns plain Promises', async () => {
    const f = new Future<number>((resolve) => resolve(1));
    expect(f.then((x) => x)).not.toBeInstanceOf(Future);
    expect(await f).toBe(1);
    expect(f.state).toBe('fulfilled');
  });

  it('cancel() settles once with CancelledError and never leaves an unhandled rejection', async () => {
    const f = new Future<number>();
    expect(f.cancel('why')).toBe(true);
    expect(f.cancel()).toBe(false);
    expect(settleFuture(f as Future<unknown>, 'fulfilled', 1)).toBe(false);
    await expect(f).rejects.toBeInstanceOf(CancelledError);
  });

  it('exposes no way to settle it from outside: only cancel()', () => {
    const f = new Future<number>();
    const names = new Set<string | symbol>();
    for (let o: object | null = f; o && o !== Promise.prototype; o = Object.getPrototypeOf(o)) for (const k of Reflect.ownKeys(o)) names.add(k);
    expect([...names].filter((k) => typeof k === 'string').sort()).toEqual(['cancel', 'cancelled', 'constructor', 'done', 'running', 'state']);
    expect(f.state).toBe('pending');
  });
});

describe('options', () => {
  it('fills defaults and rejects nonsense with a message saying how to fix it', () => {
    expect(resolveOptions({}, 3)).toMatchObject({ maxWorkers: 3, minWorkers: 0, concurrentTasksPerWorker: 1, cancelGrace: 500 });
    expect(() => resolveOptions({ maxWorkers: 1.5 }, 2)).toThrow(InvalidArgumentError);
    expect(() => resolveOptions({ idleTimeout: -1 }, 2)).toThrow(/idleTimeout.*>= 0/);
    expect(() => resolveOptions({ init: 'x' as never }, 2)).toThrow(/array/);
  });
});
