import { BULLMQ_MAX_PRIORITY, TimeoutError, toBullPriority } from '@offload/bullmq';
import { describe, expect, it } from 'vitest';
import { decode, decodeFailure, encode, encodeFailure } from '../src/codec.js';

describe('bullmq priority mapping', () => {
  it('higher Offload priority is a lower BullMQ number; 0 sits mid-range, never BullMQ 0 ("no priority", ahead of all)', () => {
    expect(toBullPriority(5)).toBeLessThan(toBullPriority(0));
    expect(toBullPriority(0)).toBeLessThan(toBullPriority(-1));
    expect(toBullPriority(0)).toBe(1_048_576);
  });
  it('clamps to 1..2,097,151 and rounds fractions', () => {
    expect(toBullPriority(1e12)).toBe(1);
    expect(toBullPriority(-1e12)).toBe(BULLMQ_MAX_PRIORITY);
    expect(toBullPriority(2.4)).toBe(toBullPriority(2));
  });
});

describe('bullmq codec', () => {
  it('round-trips what structured clone keeps: Map, Set, BigInt, Date, typed arrays, undefined, NaN, RegExp, ArrayBuffer', () => {
    const v = {
      m: new Map([[1, { u: undefined }]]),
      s: new Set(['a']),
      b: 2n ** 70n,
      d: new Date(5),
      t: new Float64Array([0.5]),
      n: Number.NaN,
      r: /x/g,
      ab: new Uint8Array([9]).buffer,
    };
    expect(decode(encode(v))).toEqual(v);
  });
  it('keeps an error’s class, message, stack, cause and own properties, and thrown non-errors as they were', () => {
    const e = Object.assign(new TimeoutError(60), { extra: new Date(1) });
    const back = (decodeFailure(encodeFailure(e)) as { thrown: TimeoutError & { extra: Date } }).thrown;
    expect(back).toBeInstanceOf(TimeoutError);
    expect([back.message, back.code, back.stack, back.extra]).toEqual([e.message, 'ERR_OFFLOAD_TIMEOUT', e.stack, new Date(1)]);
    const c = new RangeError('outer', { cause: new TypeError('inner') });
    expect(((decodeFailure(encodeFailure(c)) as { thrown: Error }).thrown.cause as Error).message).toBe('inner');
    expect(decodeFailure(encodeFailure(null))).toEqual({ thrown: null });
    expect(decodeFailure('job stalled more than allowable limit')).toBeUndefined();
  });
  it('refuses what structured clone refuses (a function)', () => {
    expect(() => encode({ f: () => 1 })).toThrow();
  });
});
