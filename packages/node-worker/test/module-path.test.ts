/** A task module given as a relative path is resolved against the current directory, and a failure to load it says so. */
import { join } from 'node:path';
import { createExecutor, WorkerInitError } from '@offload/node-worker';
import { describe, expect, it } from 'vitest';

describe('node-worker: a task module given as a relative path', () => {
  it('that names no module fails with a WorkerInitError naming the current directory and the resolved path', async () => {
    const ex = createExecutor('no-such-dir/tasks.mjs', { maxWorkers: 1 });
    try {
      const error = await ex.submit('anything', []).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WorkerInitError);
      const resolved = join(process.cwd(), 'no-such-dir/tasks.mjs');
      expect((error as Error).message).toContain(`Cannot find module '${resolved}'`);
      expect((error as Error).message).toContain(
        `(the path "no-such-dir/tasks.mjs" was resolved against the current directory ${process.cwd()}, giving ${resolved}; to resolve it against your own module instead, pass new URL('./no-such-dir/tasks.mjs', import.meta.url))`,
      );
    } finally {
      await ex.shutdown();
    }
  });
});
