import { CancelledError } from '@offload/core';
import { assert, type Case, until, warm } from '../harness.js';

export const mapCases: Case[] = [
  {
    name: 'map yields results in input order by default',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      const out: unknown[] = [];
      for await (const v of ex.map('sleep', [60, 5, 30, 1])) out.push(v);
      assert.deepEqual(out, [60, 5, 30, 1]);
    },
  },
  {
    name: 'map with ordered: false yields as tasks complete',
    async run({ make }) {
      const ex = make({ maxWorkers: 3 });
      await warm(ex, 3);
      const out: unknown[] = [];
      for await (const v of ex.map('sleep', [300, 5, 150], { ordered: false })) out.push(v);
      assert.deepEqual(out, [5, 150, 300]);
    },
  },
  {
    name: 'map with chunkSize batches inputs and keeps every result in order',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      const inputs = Array.from({ length: 1000 }, (_, i) => i);
      const out: number[] = [];
      for await (const v of ex.map('inc', inputs, { chunkSize: 64 })) out.push(v as number);
      assert.deepEqual(
        out,
        inputs.map((i) => i + 1),
      );
      assert.ok(ex.stats().completed <= 20, `1000 inputs in ${ex.stats().completed} tasks`);
    },
  },
  {
    name: 'map pulls lazily from an infinite generator and stops on break',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      let pulled = 0;
      function* naturals() {
        for (let i = 0; ; i++) {
          pulled++;
          yield i;
        }
      }
      const out: number[] = [];
      for await (const v of ex.map('inc', naturals(), { chunkSize: 4, maxInFlight: 3 })) {
        out.push(v as number);
        if (out.length === 50) break;
      }
      assert.deepEqual(out.slice(0, 3), [1, 2, 3]);
      assert.equal(out.length, 50);
      assert.ok(pulled <= 50 + 4 * 4, `pulled ${pulled} inputs`);
    },
  },
  {
    name: 'map accepts an async iterable',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      async function* source() {
        for (let i = 0; i < 5; i++) {
          await new Promise((r) => setTimeout(r, 2));
          yield i;
        }
      }
      const out: unknown[] = [];
      for await (const v of ex.map('inc', source())) out.push(v);
      assert.deepEqual(out, [1, 2, 3, 4, 5]);
    },
  },
  {
    name: 'breaking out of map cancels what is outstanding',
    async run({ make }) {
      const ex = make({ maxWorkers: 2, cancelGrace: 2000 });
      for await (const v of ex.map('sleep', [5, 3000, 3000, 3000], { maxInFlight: 4 })) {
        assert.equal(v, 5);
        break;
      }
      await until(() => ex.stats().running === 0 && ex.stats().queued === 0, 5000, 'outstanding tasks to be cancelled');
      assert.ok(ex.stats().cancelled >= 3, `cancelled ${ex.stats().cancelled}`);
    },
  },
  {
    name: 'a task error in map surfaces at its position, after the results before it',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      for (const chunkSize of [1, 5]) {
        const out: unknown[] = [];
        const e = await (async () => {
          for await (const v of ex.map('failAt', [10, 11, 12, 13, 14, 15], { chunkSize })) out.push(v);
        })().catch((x: unknown) => x);
        assert.ok(e instanceof RangeError && e.message === 'unlucky 13', String(e));
        assert.deepEqual(out, [20, 22, 24], `chunkSize ${chunkSize}`);
      }
    },
  },
  {
    name: 'aborting the map signal ends it with CancelledError',
    async run({ make }) {
      const ex = make({ maxWorkers: 1, cancelGrace: 2000 });
      const ac = new AbortController();
      const e = await (async () => {
        for await (const v of ex.map('sleep', [5, 2000, 2000], { signal: ac.signal })) {
          if (v === 5) ac.abort();
        }
      })().catch((x: unknown) => x);
      assert.ok(e instanceof CancelledError, String(e));
    },
  },
];
