/** A TypeScript task module named as TypeScript imports it (./tasks.js, with only tasks.ts on disk) loads in a child process. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createExecutor } from '@offload/child-process';
import { describe, expect, it } from 'vitest';
import type { Tasks } from '../../conformance/src/fixtures/tasks.js';

const run = promisify(execFile);
const caller = fileURLToPath(new URL('../../node-worker/test/fixtures/ts-js-caller.ts', import.meta.url));

describe('child-process: a .ts task module named as .js', () => {
  it('loads from a caller under tsx', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', caller, '@offload/child-process'], { timeout: 30_000 });
    expect(stdout.trim()).toBe('sum=5');
  });

  it('loads from a caller that is not under tsx, as long as tsx is installed', async () => {
    const ex = createExecutor<Tasks>(new URL('../../conformance/src/fixtures/tasks.js', import.meta.url), { maxWorkers: 1 });
    try {
      expect(await ex.tasks.add(6, 8)).toBe(14);
    } finally {
      await ex.shutdown();
    }
  });
});
