// The task of the sleep-order demo: do nothing for `n` units, then say when it started and ended.
import { setTimeout as sleep } from 'node:timers/promises';
import { expose } from '@offload/core/worker';

/** One unit of the seeds' demo (1 s there), scaled down. */
export const UNIT_MS = 100;

/** Wait `n` units; returns `n` with its start and end (Date.now(), the clock the caller shares). */
export async function loiter(n) {
  const started = Date.now();
  await sleep(n * UNIT_MS);
  return { n, started, ended: Date.now() };
}

export const tasks = expose({ loiter });
