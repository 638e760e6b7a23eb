import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createExecutor } from '@offload/node-worker';
import { describe, expect, it } from 'vitest';
import type { Tasks } from '../../conformance/src/fixtures/tasks.js';

/** The conformance task module in its TypeScript source form. */
const tsTasks = new URL('../../conformance/src/fixtures/tasks.ts', import.meta.url);

const run = promisify(execFile);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

describe('TypeScript task modules', () => {
  it('load in worker_threads when the caller runs under tsx', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', here('./fixtures/ts-caller.ts')], { timeout: 30_000 });
    expect(stdout.trim()).toBe('sum=5');
  });

  it('load from a caller that is not under tsx, as long as tsx is installed', async () => {
    const ex = createExecutor<Tasks>(tsTasks, { maxWorkers: 1 });
    try {
      expect(await ex.tasks.add(6, 8)).toBe(14);
    } finally {
      await ex.shutdown();
    }
  });

  it('a .ts module named as ./tasks.js (as TypeScript imports it) loads, from a caller under tsx and from plain node', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', here('./fixtures/ts-js-caller.ts'), '@offload/node-worker'], { timeout: 30_000 });
    expect(stdout.trim()).toBe('sum=5');
    const ex = createExecutor<Tasks>(new URL('../../conformance/src/fixtures/tasks.js', import.meta.url), { maxWorkers: 1 });
    try {
      expect(await ex.tasks.add(6, 8)).toBe(14);
    } finally {
      await ex.shutdown();
    }
  });

  it('built .js task modules run under plain node', async () => {
    const { stdout } = await run(process.execPath, [here('./exit-program.mjs')], { timeout: 30_000 });
    expect(stdout.trim()).toBe('shut down');
  });
});
