import type { EventEmitter } from 'node:events';
import { SerializationError, WorkerCrashedError } from '@offload/core';
import { describe, expect, it, vi } from 'vitest';
import type { Tasks } from '../../conformance/src/fixtures/tasks.js';

/** Every Worker the backend creates, so a test can make one report what Node reports. */
const made = vi.hoisted(() => [] as EventEmitter[]);

vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class RecordedWorker extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      super(...args);
      made.push(this);
    }
  }
  return { ...real, Worker: RecordedWorker };
});

const { createExecutor } = await import('../src/index.js');
const fixture = new URL('../../conformance/dist/fixtures/tasks.js', import.meta.url);

describe('a message from a worker that cannot be deserialized (messageerror)', () => {
  it('stops the worker and fails its task with WorkerCrashedError instead of leaving it pending; the pool keeps working', async () => {
    const ex = createExecutor<Tasks>(fixture, { maxWorkers: 1 });
    try {
      expect(await ex.tasks.inc(1)).toBe(2);
      expect(made).toHaveLength(1);
      const stuck = ex.submit('sleep', [10_000]);
      await new Promise((r) => setTimeout(r, 50));
      // What Node does when a message from the worker fails to deserialize on this side: the result is lost.
      made[0]?.emit('messageerror', new Error('could not deserialize'));
      const error = await Promise.race([
        stuck.then(
          () => 'fulfilled',
          (e: unknown) => e,
        ),
        new Promise((r) => setTimeout(() => r('still pending'), 5000)),
      ]);
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect((error as WorkerCrashedError).cause).toBeInstanceOf(SerializationError);
      expect(await ex.tasks.inc(2)).toBe(3);
      expect(ex.stats().crashedWorkers).toBe(1);
    } finally {
      await ex.shutdown({ cancelPending: true, cancelRunning: true });
    }
  });
});
