/**
 * A program started with flags that make evaluated code an ES module
 * (`node --input-type=module -e ...`, `--experimental-default-type=module`):
 * its workers inherit the flags, and they still start and run tasks.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const entry = new URL('../dist/index.js', import.meta.url).href;
const tasks = new URL('./fixtures/add-tasks.mjs', import.meta.url).href;
const program = `
const { createExecutor } = await import(${JSON.stringify(entry)});
const ex = createExecutor(new URL(${JSON.stringify(tasks)}), { maxWorkers: 1 });
try {
  process.stdout.write(String(await ex.submit('add', [2, 40])));
} finally {
  await ex.shutdown();
}
`;

describe('node-worker: a program whose evaluated code is an ES module', () => {
  for (const flags of [['--input-type=module'], ['--experimental-default-type=module', '--no-warnings']]) {
    it(`runs its tasks under node ${flags[0]} -e`, () => {
      const out = spawnSync(process.execPath, [...flags, '-e', program], { encoding: 'utf8', timeout: 30_000 });
      expect(out.stderr).toBe('');
      expect(out.stdout).toBe('42');
      expect(out.status).toBe(0);
    }, 40_000);
  }
});
