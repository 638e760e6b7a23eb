/**
 * planRescue: which tasks a worker with nothing to do takes back from the
 * running slots of a busy worker (see policy.ts). Built on real PoolWorkers and
 * claim slots, with the worker side's claims made by hand.
 */
import { describe, expect, it } from 'vitest';
import { ClaimSlots, claim } from '../src/claims.js';
import { planRescue } from '../src/policy.js';
import { PoolWorker, type Task } from '../src/pool-worker.js';

let nextId = 1;

/** A ready worker with claim slots running `concurrency` tasks at once. */
function worker(concurrency: number, state: PoolWorker['state'] = 'ready'): PoolWorker {
  const w = new PoolWorker(nextId++, concurrency, Number.POSITIVE_INFINITY);
  w.state = state;
  w.slots = new ClaimSlots(64 + concurrency);
  return w;
}

/** Give `w` a task; `started` has the worker claim it. */
function give(w: PoolWorker, started: boolean): Task {
  const id = nextId++;
  const slot = (w.slots as ClaimSlots).take(id);
  const task = { id, slot, worker: w } as Task;
  w.inflight.push(task);
  if (started) expect(claim(new Int32Array((w.slots as ClaimSlots).buffer), slot, id)).toBe(true);
  return task;
}

describe('planRescue', () => {
  it('takes the task waiting beside a running one for a worker with nothing in flight', () => {
    const busy = worker(2);
    give(busy, true);
    give(busy, false);
    const idle = worker(2);
    expect(planRescue(idle, [busy, idle])).toEqual({ victim: busy, count: 1 });
  });

  it('takes nothing for a thief that holds a task, or is not ready', () => {
    const busy = worker(2);
    give(busy, true);
    give(busy, false);
    const thief = worker(2);
    give(thief, true);
    expect(planRescue(thief, [busy, thief])).toBeUndefined();
    expect(planRescue(worker(2, 'starting'), [busy])).toBeUndefined();
  });

  it('never empties a worker: one that runs nothing yet (its tasks are on their way, or it is starting) is left alone', () => {
    const fresh = worker(2);
    give(fresh, false);
    give(fresh, false);
    const starting = worker(1, 'starting');
    give(starting, false);
    const idle = worker(2);
    expect(planRescue(idle, [fresh, starting, idle])).toBeUndefined();
  });

  it('takes half of what waits, rounded up, and no more than the thief can start', () => {
    const busy = worker(4);
    give(busy, true);
    for (let i = 0; i < 3; i++) give(busy, false);
    expect(planRescue(worker(4), [busy])?.count).toBe(2);
    expect(planRescue(worker(1), [busy])?.count).toBe(1);
  });
});
