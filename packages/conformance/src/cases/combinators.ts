import { asCompleted, TimeoutError, wait } from '@offload/core';
import { assert, type Case, warm } from '../harness.js';

export const combinatorCases: Case[] = [
  {
    name: 'asCompleted yields in completion order with each input index and outcome',
    async run({ make }) {
      const ex = make({ maxWorkers: 4 });
      await warm(ex, 4);
      const delays = [300, 10, 150];
      const fs = delays.map((ms) => ex.submit('sleep', [ms]));
      fs.push(ex.submit('throwError', ['Error', 'bad']) as never);
      const seen: string[] = [];
      for await (const done of asCompleted(fs)) {
        seen.push(done.status === 'fulfilled' ? `${done.index}:${done.value}` : `${done.index}:err`);
        assert.equal(done.future, fs[done.index]);
      }
      assert.equal(seen.length, 4);
      assert.deepEqual(
        seen.filter((s) => !s.endsWith('err')),
        ['1:10', '2:150', '0:300'],
      );
    },
  },
  {
    name: 'asCompleted throws TimeoutError when futures are still pending at its timeout',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      await warm(ex, 2);
      const fs = [ex.submit('sleep', [5]), ex.submit('sleep', [2000])];
      const got: number[] = [];
      const e = await (async () => {
        for await (const d of asCompleted(fs, { timeout: 150 })) got.push(d.index);
      })().catch((x: unknown) => x);
      assert.ok(e instanceof TimeoutError, String(e));
      assert.deepEqual(got, [0]);
    },
  },
  {
    name: 'asCompleted yields a future listed more than once only once, at its first index',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      const a = ex.submit('inc', [1]);
      const b = ex.submit('inc', [2]);
      const seen: string[] = [];
      for await (const d of asCompleted([a, b, a, b, a])) seen.push(`${d.index}:${d.value}`);
      assert.deepEqual(seen.sort(), ['0:2', '1:3']);
    },
  },
  {
    name: 'asCompleted with timeout 0 yields the futures already settled, then throws TimeoutError',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      const ok = ex.submit('inc', [1]);
      const bad = ex.submit('throwError', ['Error', 'x']);
      await Promise.allSettled([ok, bad]);
      const pending = ex.submit('waitForAbort', [10_000]);
      const got: string[] = [];
      const e = await (async () => {
        for await (const d of asCompleted([pending, ok, bad], { timeout: 0 })) got.push(`${d.index}:${d.status}`);
      })().catch((x: unknown) => x);
      assert.ok(e instanceof TimeoutError, String(e));
      assert.deepEqual(got, ['1:fulfilled', '2:rejected']);
      assert.ok(pending.cancel(), 'the pending future keeps running after the timeout');
    },
  },
  {
    name: 'wait FIRST_COMPLETED puts every already-settled future in done',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      const ok = ex.submit('inc', [1]);
      const bad = ex.submit('throwError', ['Error', 'x']);
      await Promise.allSettled([ok, bad]);
      const pending = ex.submit('waitForAbort', [10_000]);
      const { done, notDone } = await wait([pending, ok, bad], { returnWhen: 'FIRST_COMPLETED' });
      assert.deepEqual([done.size, done.has(ok), done.has(bad)], [2, true, true]);
      assert.deepEqual([notDone.size, notDone.has(pending)], [1, true]);
      pending.cancel();
    },
  },
  {
    name: 'wait FIRST_COMPLETED returns when one future settles',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      await warm(ex, 2);
      const fast = ex.submit('sleep', [10]);
      const slow = ex.submit('sleep', [1500]);
      const { done, notDone } = await wait([fast, slow], { returnWhen: 'FIRST_COMPLETED' });
      assert.ok(done.has(fast) && notDone.has(slow));
    },
  },
  {
    name: 'wait FIRST_EXCEPTION returns at the first rejection',
    async run({ make }) {
      const ex = make({ maxWorkers: 3 });
      await warm(ex, 3);
      const ok = ex.submit('sleep', [5]);
      const bad = ex.submit('throwError', ['Error', 'x']);
      const slow = ex.submit('sleep', [1500]);
      const { done, notDone } = await wait([ok, bad, slow], { returnWhen: 'FIRST_EXCEPTION' });
      assert.ok(done.has(bad) && notDone.has(slow));
    },
  },
  {
    name: 'wait FIRST_EXCEPTION does not count a cancelled future as an exception (without one it waits for all)',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      const cancelled = ex.submit('waitForAbort', [10_000]);
      cancelled.cancel();
      const ok = ex.submit('sleep', [50]);
      const { done, notDone } = await wait([cancelled, ok], { returnWhen: 'FIRST_EXCEPTION' });
      assert.deepEqual([done.has(cancelled), done.has(ok), notDone.size], [true, true, 0]);
    },
  },
  {
    name: 'wait FIRST_EXCEPTION returns at an exception that follows a cancellation',
    async run({ make }) {
      const ex = make({ maxWorkers: 3 });
      const cancelled = ex.submit('waitForAbort', [10_000]);
      cancelled.cancel();
      const bad = ex.submit('throwError', ['Error', 'x']);
      const pending = ex.submit('waitForAbort', [10_000]);
      const { done, notDone } = await wait([cancelled, bad, pending], { returnWhen: 'FIRST_EXCEPTION' });
      assert.deepEqual([done.has(cancelled), done.has(bad), notDone.has(pending), notDone.size], [true, true, true, 1]);
      pending.cancel();
    },
  },
  {
    name: 'wait ALL_COMPLETED returns when every future settled, errors included',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      const fs = [ex.submit('sleep', [20]), ex.submit('throwError', ['Error', 'x']), ex.submit('inc', [1])];
      const { done, notDone } = await wait(fs);
      assert.equal(done.size, 3);
      assert.equal(notDone.size, 0);
    },
  },
  {
    name: 'wait with a timeout returns what is done so far',
    async run({ make }) {
      const ex = make({ maxWorkers: 2 });
      await warm(ex, 2);
      const fast = ex.submit('sleep', [5]);
      const slow = ex.submit('sleep', [2000]);
      const { done, notDone } = await wait([fast, slow], { timeout: 150 });
      assert.ok(done.has(fast) && notDone.has(slow));
    },
  },
];
