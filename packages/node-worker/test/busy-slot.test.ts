/**
 * With concurrentTasksPerWorker > 1, a worker busy in a long synchronous task
 * still has a free running slot on paper; a short task given that slot cannot
 * start until the long task ends (the thread is blocked). Once another worker
 * has nothing to do, the short task is taken back (its claim slot says it never
 * started) and runs there.
 */
import { createExecutor } from '@offload/node-worker';
import { afterAll, expect, it } from 'vitest';

const tasks = new URL('../../conformance/dist/fixtures/tasks.js', import.meta.url);
const ex = createExecutor(tasks, { maxWorkers: 2, minWorkers: 2, concurrentTasksPerWorker: 2 });
afterAll(() => ex.shutdown({ cancelRunning: true }));

it('a short task given the free slot beside a long synchronous task runs on the other worker once that one is free', async () => {
  await Promise.all(Array.from({ length: 200 }, (_, i) => ex.submit('sleep', [1, i])));
  for (const burst of [3, 4, 20]) {
    let longDone = false;
    const long = ex.submit('spin', [2000]).then(() => {
      longDone = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    const stranded: number[] = [];
    await Promise.all(Array.from({ length: burst }, (_, i) => ex.submit('sleep', [5, i]).then(() => longDone && stranded.push(i))));
    expect(stranded, `burst of ${burst}: short tasks that finished only after the long one`).toEqual([]);
    await long;
  }
}, 60_000);
