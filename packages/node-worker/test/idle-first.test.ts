/**
 * A task submitted while a worker is idle starts on it: it is never sent ahead
 * behind a long task on the worker a warm-up of tiny tasks favoured (that one
 * has learned a large prefetch; an idle worker that rarely ran has not).
 */
import { createExecutor } from '@offload/node-worker';
import { afterAll, expect, it } from 'vitest';

const tasks = new URL('../../conformance/dist/fixtures/tasks.js', import.meta.url);
const ex = createExecutor(tasks, { maxWorkers: 4, minWorkers: 4 });
afterAll(() => ex.shutdown({ cancelRunning: true }));

it('short tasks submitted one at a time beside a long one never wait for it while other workers are idle', async () => {
  // Four at a time: the worker with the most room takes most of them and learns they are tiny.
  for (let i = 0; i < 750; i++) await Promise.all([0, 1, 2, 3].map((k) => ex.submit('inc', [k])));
  let longDone = false;
  const long = ex.submit('spin', [2000]).then(() => {
    longDone = true;
  });
  const waited: number[] = [];
  await Promise.all(
    [0, 1, 2].map(async (lane) => {
      for (let i = 0; i < 20; i++) {
        await ex.submit('inc', [i]);
        if (longDone) waited.push(lane * 100 + i);
      }
    }),
  );
  expect(waited).toEqual([]);
  await long;
}, 30_000);
