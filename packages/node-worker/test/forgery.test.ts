/**
 * `@offload/core/backend` is public: anything may import it. Nothing it exports
 * settles, rebinds or feeds a Future that another executor created; a backend
 * settles only the Futures it made itself, through the handle it keeps.
 */
import * as backend from '@offload/core/backend';
import { createExecutor } from '@offload/node-worker';
import { afterAll, expect, it } from 'vitest';

const tasks = new URL('../../conformance/dist/fixtures/tasks.js', import.meta.url);
const ex = createExecutor(tasks, { maxWorkers: 1 });
afterAll(() => ex.shutdown({ cancelRunning: true }));

/** Call every function `@offload/core/backend` exports with the Future in each position a forger would try. */
function tryEverything(future: unknown, owner: unknown): void {
  for (const fn of Object.values(backend)) {
    if (typeof fn !== 'function') continue;
    for (const args of [
      [future, 'fulfilled', 'forged'],
      [future, 'rejected', new Error('forged')],
      [future, 'cancelled', 'forged'],
      [future, owner, 'key'],
      [future, new backend.StreamSink(4)],
    ]) {
      try {
        (fn as (...a: unknown[]) => unknown)(...args);
      } catch {
        // Refused, as it should be: what counts is the Future afterwards.
      }
    }
  }
}

it('a Future from a worker executor keeps its real result whatever the backend entry is called with', async () => {
  const future = ex.submit('inc', [41]);
  tryEverything(future, { cancel: () => true, started: () => true });
  expect(future.state).toBe('pending');
  expect(await future).toBe(42);
});

it('a cancel still reaches the executor that runs the task, not an owner bound from outside', async () => {
  let hijacked = 0;
  const future = ex.submit('sleep', [5000]);
  tryEverything(future, { cancel: () => ++hijacked > 0, started: () => true });
  expect(future.cancel('stop')).toBe(true);
  expect(future.cancelled()).toBe(true);
  expect(hijacked).toBe(0);
  expect(await ex.submit('inc', [1])).toBe(2);
});

it('a backend settles the Futures it creates through their handle, once', async () => {
  const handle = backend.createFuture();
  expect(handle.future.state).toBe('pending');
  expect(handle.settle('fulfilled', 7)).toBe(true);
  expect(handle.settle('rejected', new Error('late'))).toBe(false);
  expect(await handle.future).toBe(7);
});
