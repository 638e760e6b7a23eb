/**
 * A child that exits while loading its task module is reported with what it
 * wrote to stderr (its first lines) in the WorkerInitError, and a relative path
 * that names no module says what it was resolved against.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createExecutor, WorkerInitError } from '@offload/child-process';
import { describe, expect, it } from 'vitest';

const fixture = new URL('./fixtures/exits-loading.mjs', import.meta.url);

async function initError(moduleUrl: URL | string, options: Parameters<typeof createExecutor>[1]): Promise<WorkerInitError> {
  const ex = createExecutor(moduleUrl, { maxWorkers: 1, ...options });
  try {
    const error = await ex.submit('anything', []).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkerInitError);
    return error as WorkerInitError;
  } finally {
    await ex.shutdown();
  }
}

describe('child-process: a task module that cannot start', () => {
  it('exits while loading: the WorkerInitError holds the first lines of its stderr', async () => {
    const error = await initError(fixture, { inheritStdio: false });
    expect(error.message).toBe(
      'The worker could not start the task module: it exited with code 1 while loading the task module. Its stderr:\nbad config: OFFLOAD_TEST_KEY is not set',
    );
  });

  it('exits in its init function: the WorkerInitError says so (not "while loading"), with its stderr', async () => {
    const error = await initError(new URL('./fixtures/exits-in-init.mjs', import.meta.url), { inheritStdio: false });
    expect(error.message).toBe(
      'The worker could not start the task module: it exited with code 7 while its init function ran. Its stderr:\ninit: cannot reach the database',
    );
  });

  it('writes much to stderr: the message keeps only its first 20 lines', async () => {
    const error = await initError(fixture, { inheritStdio: false, env: { LINES: '500' } });
    const stderr = error.message.split('Its stderr:\n')[1] ?? '';
    expect(stderr.split('\n')).toEqual([...Array.from({ length: 20 }, (_, i) => `detail line ${i + 1}`), '...']);
  });

  it("with inheritStdio (the default), the child's stderr still reaches the parent's stderr", async () => {
    const program = `import { createExecutor } from '@offload/child-process';
const ex = createExecutor(${JSON.stringify(fixture.href)}, { maxWorkers: 1 });
await ex.submit('anything', []).catch((e) => console.log(e.name));
await ex.shutdown();`;
    const cwd = fileURLToPath(new URL('.', import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', program], { cwd, timeout: 30_000 });
    expect(stdout.trim()).toBe('WorkerInitError');
    expect(stderr).toBe('bad config: OFFLOAD_TEST_KEY is not set\n');
  });

  it('many children alive at once forward their stderr without a listener-leak warning', async () => {
    const tasks = new URL('../../conformance/dist/fixtures/tasks.js', import.meta.url);
    const program = `import { createExecutor } from '@offload/child-process';
const ex = createExecutor(${JSON.stringify(tasks.href)}, { minWorkers: 12, maxWorkers: 12 });
const out = await Promise.all(Array.from({ length: 48 }, (_, i) => ex.submit('inc', [i])));
console.log(out.length, ex.stats().spawnedWorkers);
await ex.shutdown();`;
    const cwd = fileURLToPath(new URL('.', import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', program], { cwd, timeout: 60_000 });
    expect(stdout.trim()).toBe('48 12');
    expect(stderr).not.toContain('MaxListenersExceededWarning');
  }, 60_000);

  it('a relative path that names no module: the message says it was resolved against the current directory', async () => {
    const error = await initError('no-such-dir/tasks.mjs', { inheritStdio: false });
    expect(error.message).toContain(
      `(the path "no-such-dir/tasks.mjs" was resolved against the current directory ${process.cwd()}, giving ${join(process.cwd(), 'no-such-dir/tasks.mjs')};`,
    );
  });
});
