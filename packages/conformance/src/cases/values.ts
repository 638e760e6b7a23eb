import { assert, type Case } from '../harness.js';

export const valueCases: Case[] = [
  {
    name: 'structured-clone values round-trip: Map, Set, Date, BigInt, typed arrays, nested objects',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const value = {
        map: new Map<unknown, unknown>([
          ['a', 1],
          [2, { deep: [1, 2, 3] }],
        ]),
        set: new Set(['x', 'y']),
        date: new Date(1_700_000_000_000),
        big: 123456789012345678901234567890n,
        bytes: new Uint8Array([1, 2, 255]),
        floats: new Float64Array([0.5, -1]),
        nested: { a: [{ b: null, c: undefined, d: 'text' }], n: Number.NaN },
        regexp: /ab+c/gi,
      };
      const back = (await ex.submit('echo', [value])) as typeof value;
      assert.ok(back.map instanceof Map && back.set instanceof Set && back.date instanceof Date);
      assert.deepEqual(back, value);
      assert.equal(back.big, 123456789012345678901234567890n);
      assert.ok(back.bytes instanceof Uint8Array);
    },
  },
  {
    name: 'transferring an ArrayBuffer to the worker moves it',
    needs: ['transfer'],
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const buf = new Uint8Array([1, 2, 3, 4]).buffer;
      const sum = await ex.submit('byteSum', [buf], { transfer: [buf] });
      assert.equal(sum, 10);
      assert.equal(buf.byteLength, 0, 'the caller no longer owns the buffer');
    },
  },
  {
    name: 'a task can return transferred ArrayBuffers',
    async run({ make }) {
      const ex = make({ maxWorkers: 1 });
      const buf = (await ex.submit('makeBuffer', [1024])) as ArrayBuffer;
      assert.ok(buf instanceof ArrayBuffer);
      assert.equal(buf.byteLength, 1024);
      assert.equal(new Uint8Array(buf)[1023], 7);
    },
  },
];
