import { createExecutor, WorkerCrashedError } from '@offload/child-process';
import { afterEach, describe, expect, it } from 'vitest';

const hostile = new URL('./fixtures/hostile.mjs', import.meta.url);
const open: { shutdown(o?: object): Promise<void> }[] = [];
const make = (options: Parameters<typeof createExecutor>[1] = {}) => {
  const ex = createExecutor(hostile, { maxWorkers: 1, inheritStdio: false, ...options });
  open.push(ex);
  return ex;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((ex) => ex.shutdown({ cancelPending: true, cancelRunning: true })));
});

describe('child-process isolation', () => {
  it('a child killed from outside is reported as WorkerCrashedError and replaced', async () => {
    const ex = make();
    const pid = (await ex.submit('pid', [])) as number;
    const running = ex.submit('sleep', [5000]);
    await new Promise((r) => setTimeout(r, 50));
    process.kill(pid, 'SIGKILL');
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toContain('SIGKILL');
    expect(await ex.submit('pid', [])).not.toBe(pid);
  });

  it('a child that aborts is reported as WorkerCrashedError and replaced', async () => {
    const ex = make();
    await expect(ex.submit('abort', [])).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(typeof (await ex.submit('pid', []))).toBe('number');
  });

  it('a child that runs out of memory is reported as WorkerCrashedError and replaced', async () => {
    const ex = make({ execArgv: ['--max-old-space-size=24'] });
    await expect(ex.submit('exhaustMemory', [])).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(typeof (await ex.submit('pid', []))).toBe('number');
  }, 60_000);

  it('children get an empty environment unless one is given', async () => {
    process.env.OFFLOAD_TEST_SECRET = 'parent-only';
    try {
      expect(await make().submit('env', ['OFFLOAD_TEST_SECRET'])).toBe(null);
      expect(await make({ env: { ...process.env } }).submit('env', ['OFFLOAD_TEST_SECRET'])).toBe('parent-only');
    } finally {
      delete process.env.OFFLOAD_TEST_SECRET;
    }
  });

  it('loads a TypeScript task module through tsx', async () => {
    const ex = createExecutor(new URL('../../conformance/src/fixtures/tasks.ts', import.meta.url), { maxWorkers: 1 });
    open.push(ex);
    expect(await ex.submit('add', [3, 4])).toBe(7);
  });
});
