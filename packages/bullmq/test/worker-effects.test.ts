/**
 * What a caller's cancel, `break` and backpressure do on the worker machine,
 * seen through files the tasks write there (a probe task would land on any
 * machine of the pool, so the conformance cases' checks that read per-worker
 * state do not apply to this backend; these tests prove the same behaviour).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CancelledError, createExecutor, TimeoutError } from '@offload/bullmq';
import { describe, expect, it } from 'vitest';
import { redisMissing, required, workerMachine } from './cluster.js';

const effects = new URL('./fixtures/effects.mjs', import.meta.url);
const why = redisMissing();
if (why && !required) console.log(`[offload] skipping bullmq worker-effects tests: ${why}. Set OFFLOAD_REQUIRE_RUNTIMES=1 to make this a failure.`);

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

describe.skipIf(Boolean(why) && !required)('bullmq: effects on the worker machine', () => {
  const machine = workerMachine('effects', effects, why);
  const queue = 'effects';
  let n = 0;
  const file = () => join(machine.dir, `trace-${n++}.txt`);

  it('a task cancelled, or aborted by its signal, while it waits in the caller (maxInFlight 1) never runs on a worker machine', async () => {
    await using ex = createExecutor(effects, { connection: machine.url, queue, maxInFlight: 1 });
    const trace = file();
    const blocker = ex.submit('mark', [trace, 'blocker', 200]);
    const victim = ex.submit('mark', [trace, 'victim']);
    const ac = new AbortController();
    const aborted = ex.submit('mark', [trace, 'aborted'], { signal: ac.signal });
    const after = ex.submit('mark', [trace, 'after']);
    expect(ex.stats()).toMatchObject({ queued: 3, running: 1 });
    victim.cancel();
    ac.abort();
    await expect(victim).rejects.toBeInstanceOf(CancelledError);
    await expect(aborted).rejects.toBeInstanceOf(CancelledError);
    expect(await Promise.all([blocker, after])).toEqual(['blocker', 'after']);
    expect(lines(trace)).toEqual(['blocker', 'after']);
  });

  it('cancelling a running task aborts the signal it sees on its worker machine', async () => {
    await using ex = createExecutor(effects, { connection: machine.url, queue, cancelGrace: 2000 });
    const trace = file();
    const f = ex.submit('waitForAbort', [trace, 10_000]);
    // Running on its worker thread, not only taken by a worker process.
    await expect.poll(() => lines(trace), { timeout: 10_000 }).toEqual(['started']);
    f.cancel();
    await expect(f).rejects.toBeInstanceOf(CancelledError);
    await expect.poll(() => lines(trace), { timeout: 5000 }).toEqual(['started', 'aborted']);
  });

  it('break and cancel() stop a generator on its worker machine: its finally block runs', async () => {
    await using ex = createExecutor(effects, { connection: machine.url, queue, cancelGrace: 2000 });
    const broken = file();
    const got: number[] = [];
    for await (const x of ex.stream('ticker', [broken, 2])) {
      got.push(x as number);
      if (x === 2) break;
    }
    expect(got).toEqual([0, 1, 2]);
    const cancelled = file();
    const s = ex.stream('ticker', [cancelled, 2]);
    const it = s[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe(0);
    s.cancel('enough');
    await expect(s.finished).rejects.toBeInstanceOf(CancelledError);
    await expect.poll(() => [lines(broken), lines(cancelled)], { timeout: 5000 }).toEqual([['finally'], ['finally']]);
  });

  it('idleTimeout ends a stream that stops producing with TimeoutError after its items, and stops its generator on the worker machine', async () => {
    await using ex = createExecutor(effects, { connection: machine.url, queue, cancelGrace: 2000 });
    const trace = file();
    const got: number[] = [];
    let error: unknown;
    try {
      for await (const x of ex.stream('stallAfter', [trace, 3], { idleTimeout: 150 })) got.push(x as number);
    } catch (e) {
      error = e;
    }
    expect(got).toEqual([0, 1, 2]);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeout).toBe(150);
    expect((error as Error).message).toContain('idleTimeout');
    expect(ex.stats().timedOut).toBe(1);
    await expect.poll(() => lines(trace), { timeout: 5000 }).toEqual(['finally']);
  });

  it('backpressure: the generator on the worker machine never runs more than highWaterMark items ahead of its consumer', async () => {
    await using ex = createExecutor(effects, { connection: machine.url, queue });
    const trace = file();
    const hwm = 4;
    let consumed = 0;
    for await (const item of ex.stream('countTo', [trace, 200], { highWaterMark: hwm })) {
      expect(item).toBe(consumed);
      consumed++;
      if (consumed % 50 === 1) {
        // Stop consuming for a while: without backpressure the generator would run to its end.
        await new Promise((r) => setTimeout(r, 150));
        const produced = lines(trace).length;
        expect(produced).toBeGreaterThanOrEqual(consumed);
        // The items granted (hwm plus those consumed) may be produced; one more is being produced when it stops.
        expect(produced).toBeLessThanOrEqual(consumed + hwm + 1);
      }
    }
    expect(consumed).toBe(200);
  });
});
