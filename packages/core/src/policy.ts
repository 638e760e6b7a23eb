/**
 * The scheduler's policy, apart from its lifecycle: which worker takes a task,
 * and which tasks sent ahead are taken back for a worker that has run dry.
 * Pure functions over the workers' state, so they can be tested on their own.
 * @module
 */
import type { PoolWorker } from './pool-worker.js';

/** Outweighs any difference of room: a worker that can start a task now comes first. */
const IDLE_FIRST = 1e9;

/**
 * The worker that should take the next task: a ready worker with an idle
 * running slot if there is one (a task is never sent ahead behind a running
 * one, which may be long, while another worker could start it now), else the
 * one with the most room, ready workers before starting ones. With
 * `needsEmpty` (a task suspected of crashing its worker) only a worker with
 * nothing in flight qualifies.
 */
export function pickWorker(workers: readonly PoolWorker[], needsEmpty: boolean): PoolWorker | undefined {
  let best: PoolWorker | undefined;
  let bestScore = 0;
  for (const w of workers) {
    const free = w.free();
    if (free <= 0 || (needsEmpty && w.inflight.length > 0)) continue;
    const ready = w.state === 'ready';
    const score = free + (ready ? 0.5 : 0) + (ready && w.idleSlots() > 0 ? IDLE_FIRST : 0);
    if (score > bestScore) {
      best = w;
      bestScore = score;
    }
  }
  return best;
}

/** Tasks a worker holds beyond its running slots: sent ahead, maybe not started. */
const ahead = (w: PoolWorker): number => w.inflight.length - w.concurrency;

/**
 * A worker that can take work while the queue is empty, and the worker to take
 * it from: the one holding the most tasks sent ahead, if it holds more than
 * the thief. `count` is how many to take back from the end of its line: half
 * the difference, rounded up, and no more than the thief has room for.
 */
export function planSteal(thief: PoolWorker, workers: readonly PoolWorker[]): { victim: PoolWorker; count: number } | undefined {
  if (thief.state !== 'ready') return undefined;
  const room = thief.free();
  if (room <= 0) return undefined;
  const mine = Math.max(0, ahead(thief));
  let victim: PoolWorker | undefined;
  let most = mine;
  for (const w of workers) {
    if (w === thief || !w.slots || w.state === 'dead') continue;
    const n = ahead(w);
    if (n > most) {
      victim = w;
      most = n;
    }
  }
  if (!victim) return undefined;
  return { victim, count: Math.min(room, Math.ceil((most - mine) / 2)) };
}

/**
 * A worker with nothing in flight, and the worker to take from when no worker
 * holds tasks sent ahead: one that holds tasks in its running slots that it
 * has not started (with `concurrentTasksPerWorker` > 1, a long synchronous
 * task blocks its thread, and a task given the free slot beside it waits for
 * it). `count` is how many to take back from the end of its line: half of
 * them, rounded up, and no more than the thief can start at once. Only ready
 * workers with claim slots that run a task qualify (the claim tells whether
 * a task started), so the victim is never left empty.
 */
export function planRescue(thief: PoolWorker, workers: readonly PoolWorker[]): { victim: PoolWorker; count: number } | undefined {
  if (thief.state !== 'ready' || thief.inflight.length > 0) return undefined;
  const room = Math.min(thief.free(), thief.idleSlots());
  if (room <= 0) return undefined;
  let victim: PoolWorker | undefined;
  let most = 0;
  for (const w of workers) {
    if (w === thief || !w.slots || w.state !== 'ready') continue;
    const n = w.unstarted();
    if (n > most) {
      victim = w;
      most = n;
    }
  }
  if (!victim) return undefined;
  return { victim, count: Math.min(room, Math.ceil(most / 2)) };
}

/**
 * The worker that should take a stream: one with a free running slot (a
 * stream never waits behind another task), ready workers first.
 */
export function pickStreamWorker(workers: readonly PoolWorker[]): PoolWorker | undefined {
  let best: PoolWorker | undefined;
  for (const w of workers) {
    if (w.free() <= 0 || w.idleSlots() <= 0) continue;
    if (!best || (w.state === 'ready' && best.state !== 'ready')) best = w;
  }
  return best;
}
