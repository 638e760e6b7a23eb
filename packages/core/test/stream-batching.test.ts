/**
 * How a stream's items travel: the worker side (`serve()`) over an in-memory
 * endpoint, counting the posts it makes, and the caller-side buffer.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION } from '../src/protocol.js';
import { StreamSink } from '../src/stream.js';
import { MAX_CLOCK_STRIDE } from '../src/worker-stream.js';
import { servedWorker } from './served-worker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  vi.restoreAllMocks();
});

describe('worker side of a stream: batching', () => {
  it('items granted by one pull, after a long wait for credit, leave together in one post', async () => {
    // The worker's clock moves only when the test says so: a busy machine's stall between two
    // steps would (rightly) count as a slow step and split the post.
    let clock = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
    const w = servedWorker({
      *count(n: number) {
        for (let i = 0; i < n; i++) yield i;
      },
    });
    w.send({ t: 'start', v: PROTOCOL_VERSION, concurrency: 1 }, { t: 'stream', id: 1, name: 'count', args: [100], hwm: 2 });
    stops.push(() => w.send({ t: 'cancel', id: 1 }));
    await sleep(20);
    expect(w.itemPosts(1).flat()).toEqual([0, 1]);
    // The pump has waited for credit far longer than a slow step: that wait is not a slow step.
    // (A window of 2: the pump reads its clock at the first step after the wait.)
    const before = w.itemPosts(1).length;
    clock += 50;
    w.send({ t: 'pull', id: 1, n: 4 });
    await sleep(20);
    expect(w.itemPosts(1).slice(before)).toEqual([[2, 3, 4, 5]]);
  });

  it('a long run of quick synchronous steps is not held back until the credit runs out', async () => {
    // A clock that advances 0.3 ms per generator step: each step is quicker than a slow step (1 ms).
    let clock = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
    const w = servedWorker({
      *quick(n: number) {
        for (let i = 0; i < n; i++) {
          clock += 0.3;
          yield i;
        }
      },
    });
    w.send({ t: 'start', v: PROTOCOL_VERSION, concurrency: 1 }, { t: 'stream', id: 1, name: 'quick', args: [40], hwm: 1000 });
    await sleep(20);
    const posts = w.itemPosts(1);
    expect(posts.flat()).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // 40 steps take 12 ms: the items leave about every millisecond (the first alone, at once),
    // not as one batch when the generator returns.
    expect(posts.length).toBeGreaterThanOrEqual(8);
    expect(posts.length).toBeLessThanOrEqual(14);
  });
});

describe('worker side of a stream: reading the clock', () => {
  it('a run of quick synchronous steps reads the clock far less often than once per item', async () => {
    // 100 ns per step: a quick step, cheaper than reading the clock.
    let clock = 1000;
    let reads = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => {
      reads++;
      return clock;
    });
    const w = servedWorker({
      *quick(n: number) {
        for (let i = 0; i < n; i++) {
          clock += 0.0001;
          yield i;
        }
      },
    });
    w.send({ t: 'start', v: PROTOCOL_VERSION, concurrency: 1 }, { t: 'stream', id: 1, name: 'quick', args: [10_000], hwm: 20_000 });
    await sleep(20);
    expect(w.itemPosts(1).flat()).toHaveLength(10_000);
    expect(reads).toBeLessThan(10_000 / 8);
    // 10,000 steps take 1 ms in all: the items still leave about once per millisecond, not per item.
    expect(w.itemPosts(1).length).toBeLessThanOrEqual(4);
  });

  it('steps that turn slow after a run of quick ones send their items within MAX_CLOCK_STRIDE steps, then each at once', async () => {
    let clock = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
    const w = servedWorker({
      *quickThenSlow() {
        for (let i = 0; i < 1000; i++) {
          clock += 0.0001;
          yield i;
        }
        for (let i = 1000; i < 1100; i++) {
          clock += 5;
          yield i;
        }
      },
    });
    w.send({ t: 'start', v: PROTOCOL_VERSION, concurrency: 1 }, { t: 'stream', id: 1, name: 'quickThenSlow', args: [], hwm: 2000 });
    await sleep(20);
    const posts = w.itemPosts(1);
    expect(posts.flat()).toEqual(Array.from({ length: 1100 }, (_, i) => i));
    const lastOfQuickRun = posts.findIndex((items) => items.includes(999));
    // The quick items left with at most MAX_CLOCK_STRIDE slow ones; every slow item after those left alone.
    expect(posts[lastOfQuickRun].filter((x) => x >= 1000).length).toBeLessThanOrEqual(MAX_CLOCK_STRIDE);
    for (const items of posts.slice(lastOfQuickRun + 1)) expect(items).toHaveLength(1);
  });
});

describe('caller side of a stream: the buffer', () => {
  it('hands out the items of several batches in order, and clear() drops them', () => {
    const sink = new StreamSink(16);
    sink.pushAll([1, 2]);
    sink.push(3);
    sink.pushAll([]);
    sink.pushAll([4, 5, 6]);
    expect(sink.size).toBe(6);
    const taken = [sink.take(), sink.take(), sink.take(), sink.take()];
    sink.pushAll([7]);
    while (sink.size > 0) taken.push(sink.take());
    expect(taken).toEqual([1, 2, 3, 4, 5, 6, 7]);
    sink.pushAll([8, 9]);
    sink.clear();
    expect(sink.size).toBe(0);
    sink.pushAll([10]);
    expect(sink.take()).toBe(10);
  });

  it('a batch arriving when the head batch is used up but another waits behind it does not overtake that one', () => {
    const sink = new StreamSink(16);
    sink.pushAll([1]);
    sink.pushAll([2]);
    expect(sink.take()).toBe(1);
    sink.pushAll([3]);
    expect([sink.take(), sink.take()]).toEqual([2, 3]);
  });

  it('hands out every item once, in arrival order, for any interleaving of batches and takes', () => {
    const step = fc.oneof(
      fc.integer({ min: 0, max: 4 }).map((n) => ({ push: n })),
      fc.constant({ take: true as const }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const sink = new StreamSink(16);
        let next = 0;
        const taken: number[] = [];
        for (const s of steps) {
          if ('push' in s) sink.pushAll(Array.from({ length: s.push }, () => next++));
          else if (sink.size > 0) taken.push(sink.take() as number);
        }
        while (sink.size > 0) taken.push(sink.take() as number);
        expect(taken).toEqual(Array.from({ length: next }, (_, i) => i));
      }),
      { numRuns: 500, seed: 20261130 },
    );
  });

  it('grants credit in bulk: one pull per half high-water mark consumed', () => {
    const sink = new StreamSink(8);
    const pulls: number[] = [];
    sink.pull = (n) => pulls.push(n);
    for (let i = 0; i < 10; i++) sink.consumed();
    expect(pulls).toEqual([4, 4]);
  });
});
