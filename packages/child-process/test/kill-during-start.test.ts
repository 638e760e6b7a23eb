import { readdirSync, readFileSync } from 'node:fs';
import { createExecutor, WorkerCrashedError } from '@offload/child-process';
import { afterEach, describe, expect, it } from 'vitest';

const hostile = new URL('./fixtures/hostile.mjs', import.meta.url);
const open: { shutdown(o?: object): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((ex) => ex.shutdown({ cancelPending: true, cancelRunning: true })));
});

/** The pids of this process's worker children (the executor's child.js), starting or running. */
function workerChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('child.js')) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

describe.runIf(process.platform === 'linux')('child-process: children killed from outside, also while starting', () => {
  it('only tasks that were running fail, the pool keeps minWorkers, and the rest all succeed', async () => {
    const ex = createExecutor(hostile, { maxWorkers: 2, minWorkers: 2, inheritStdio: false });
    open.push(ex);
    const futures = Array.from({ length: 3000 }, () => ex.submit('sleep', [1]));
    // Handled from the start: a task failed by a kill is not an unhandled rejection while the killing goes on.
    const outcomes = Promise.allSettled(futures);
    let kills = 0;
    // SIGKILL a child every 60 ms for 2 s: replacements are often killed while they start.
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 60));
      const pids = workerChildren();
      const pid = pids[kills % Math.max(1, pids.length)];
      if (pid === undefined) continue;
      try {
        process.kill(pid, 'SIGKILL');
        kills++;
      } catch {}
    }
    const settled = await outcomes;
    const failures = settled.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as Error);
    for (const e of failures) expect(e).toBeInstanceOf(WorkerCrashedError);
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(failures.length).toBeLessThanOrEqual(kills);
    expect(settled.length - failures.length).toBeGreaterThanOrEqual(3000 - kills);
    // Once the killing stops, the pool is back to minWorkers and serves.
    expect(await ex.submit('sleep', [3])).toBe(3);
    const deadline = Date.now() + 10_000;
    while (ex.stats().workers < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(ex.stats().workers).toBe(2);
  }, 60_000);
});
